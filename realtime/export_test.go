package realtime

// OnCountsRead has f called each time a room of h has read its counts and holds them; set it
// before anything is touched.
func OnCountsRead(h *Hub, f func()) { h.countsRead = f }
