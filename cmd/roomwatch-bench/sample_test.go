package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/store"
)

func TestSampleMemoryReadsUntilStopped(t *testing.T) {
	stop := sampleMemory(os.Getpid(), time.Now(), 10*time.Millisecond)
	time.Sleep(55 * time.Millisecond)
	samples := stop()
	if len(samples) < 2 {
		t.Fatalf("%d samples in 55 ms at one per 10 ms", len(samples))
	}
	for i, s := range samples {
		if s.mem.rss == 0 || s.mem.rss < s.mem.anon {
			t.Errorf("sample %d: %+v is not a reading of this process", i, s.mem)
		}
		if i > 0 && s.after < samples[i-1].after {
			t.Errorf("sample %d taken before sample %d", i, i-1)
		}
	}
}

func TestSampleMemoryStopsWhenTheProcessIsGone(t *testing.T) {
	// No process has a negative ID: the first read fails.
	stop := sampleMemory(-1, time.Now(), time.Millisecond)
	if got := stop(); len(got) != 0 {
		t.Errorf("samples of no process: %v", got)
	}
}

func TestPeakSampleIsTheHighestRSS(t *testing.T) {
	samples := []memSample{
		{after: 0, mem: memory{rss: 40 << 20}},
		{after: 10 * time.Second, mem: memory{rss: 180 << 20}},
		{after: 20 * time.Second, mem: memory{rss: 90 << 20}},
	}
	if p := peakSample(samples); p.after != 10*time.Second {
		t.Errorf("peak at %s, want 10s", p.after)
	}
	r := run{samples: samples}
	if r.peak().rss != 180<<20 {
		t.Errorf("run peak %d", r.peak().rss)
	}
	if got := samplesString(samples); got != "40 (0+0), 180 (0+0), 90 (0+0)" {
		t.Errorf("samplesString = %q", got)
	}
	if (peakSample(nil) != memSample{}) {
		t.Error("a peak of no samples")
	}
}

func TestLatenessCountsStepsOverASecond(t *testing.T) {
	l := lateness{samples: []time.Duration{100 * time.Millisecond, time.Second, 1001 * time.Millisecond, 3 * time.Second}}
	if got := l.over(time.Second); got != 2 {
		t.Errorf("over 1 s: %d, want 2 (exactly 1 s is not more than 1 s late)", got)
	}
}

func TestMeasureStoreCountsFileAndPagesInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetMeta("bench-test", strings.Repeat("x", 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	size, err := measureStore(path)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	if size.file != info.Size() {
		t.Errorf("file %d, want %d", size.file, info.Size())
	}
	if size.used < 1<<20 || size.used > size.file {
		t.Errorf("pages in use %d: want at least the 1 MB value and at most the file (%d)", size.used, size.file)
	}
}

func TestPerEventIsTheGrowthOfPagesInUse(t *testing.T) {
	r := run{
		storeBefore: storeSize{file: 8 << 20, used: 6 << 20},
		storeAfter:  storeSize{file: 8 << 20, used: 6<<20 + 60_000},
		load:        loadResult{rtt: make([]time.Duration, 1000)},
	}
	if b, ok := r.perEvent(); !ok || b != 60 {
		t.Errorf("perEvent = %v, %v; want 60 bytes", b, ok)
	}
	if _, ok := (run{}).perEvent(); ok {
		t.Error("perEvent of a run with no event")
	}
}
