package web

import (
	"time"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/locale"
)

// zoneRegion is a group of the time-zone picker.
type zoneRegion struct {
	ID    string // message id of its name: region.<ID>
	Zones []string
}

// pickerZones are the IANA zones the profile offers, by region: where the people of a
// multi-stakeholder process in Latin America, and the international experts who join it, live.
// Their names are the catalogs' zone.<IANA name>; any other valid zone a person already has is
// kept and shown as it is.
func pickerZones() []zoneRegion {
	return []zoneRegion{
		{"mexico", []string{"America/Mexico_City", "America/Cancun", "America/Merida", "America/Monterrey", "America/Chihuahua",
			"America/Hermosillo", "America/Mazatlan", "America/Tijuana"}},
		{"americas", []string{"America/Guatemala", "America/Costa_Rica", "America/Panama", "America/Bogota", "America/Lima",
			"America/Caracas", "America/La_Paz", "America/Santiago", "America/Buenos_Aires", "America/Montevideo",
			"America/Sao_Paulo", "America/Havana", "America/Santo_Domingo", "America/New_York", "America/Chicago",
			"America/Denver", "America/Los_Angeles", "America/Toronto"}},
		{"europe", []string{"Europe/London", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris", "Europe/Brussels",
			"Europe/Amsterdam", "Europe/Berlin", "Europe/Zurich", "Europe/Rome", "Europe/Vienna", "Europe/Stockholm",
			"Europe/Warsaw", "Europe/Athens", "Europe/Moscow"}},
		{"africa_asia_oceania", []string{"Africa/Casablanca", "Africa/Lagos", "Africa/Cairo", "Africa/Nairobi",
			"Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Jakarta", "Asia/Shanghai",
			"Asia/Seoul", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland"}},
		{"other", []string{"UTC"}},
	}
}

// utcOffset says a zone's offset from UTC at t, as "UTC−06:00".
func utcOffset(name string, t time.Time) string {
	loc, err := clock.Zone(name)
	if err != nil {
		return ""
	}
	return locale.Offset(t.In(loc))
}
