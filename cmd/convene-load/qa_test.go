package main

import (
	"encoding/json"
	"testing"
)

// TestScanNumbered: the generator's quick reading of a numbered frame agrees with decoding it,
// and leaves to the decoder every frame it cannot read for sure.
func TestScanNumbered(t *testing.T) {
	for _, tc := range []struct {
		frame string
		ok    bool
		seq   uint64
		body  string
	}{
		{`{"seq":12,"type":"question.created","question":{"id":7,"body":"q-3-1700","votes":0}}`, true, 12, "q-3-1700"},
		{`{"seq":13,"type":"question.voted","question":{"id":7,"votes":2}}`, true, 13, ""},
		{`{"seq":14,"type":"none"}`, true, 14, ""},
		{`{"seq":15,"type":"question.created","question":{"id":8,"body":"say \"hi\""}}`, false, 0, ""},
		{`{"seq":0,"type":"none"}`, false, 0, ""},
		{`{"seq":x}`, false, 0, ""},
		{`{"type":"snapshot","seq":30,"questions":[]}`, false, 0, ""},
		{`{"type":"votes","counts":{"7":3}}`, false, 0, ""},
	} {
		seq, body, ok := scanNumbered([]byte(tc.frame))
		if ok != tc.ok || seq != tc.seq || string(body) != tc.body {
			t.Errorf("%s: got %d %q %v, want %d %q %v", tc.frame, seq, body, ok, tc.seq, tc.body, tc.ok)
		}
	}
}

// FuzzScanNumbered: whatever scanNumbered reads from a frame that is JSON, decoding reads too.
func FuzzScanNumbered(f *testing.F) {
	f.Add(`{"seq":12,"type":"question.created","question":{"id":7,"body":"q-3-1700"}}`)
	f.Add(`{"seq":14,"type":"none"}`)
	f.Fuzz(func(t *testing.T, frame string) {
		seq, body, ok := scanNumbered([]byte(frame))
		var v struct {
			Seq      uint64 `json:"seq"`
			Type     string `json:"type"`
			Question struct {
				Body string `json:"body"`
			} `json:"question"`
		}
		if !ok || json.Unmarshal([]byte(frame), &v) != nil || v.Question.Body == "" && v.Type != "question.created" {
			return
		}
		if v.Seq != seq || (v.Type == "question.created" && v.Question.Body != string(body)) {
			t.Fatalf("%s: read %d %q, decoded %d %q", frame, seq, body, v.Seq, v.Question.Body)
		}
	})
}
