//go:build race

package web_test

// raceDetector tells whether this test binary runs under -race: tests that repeat a race many
// times for its odds repeat it once there (the plain pass repeats it in full).
const raceDetector = true
