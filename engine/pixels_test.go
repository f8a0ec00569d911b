package engine

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// A frame buffer from the cache (Pixels) is advised for transparent huge
// pages (its mapping has the kernel's "hg" flag), so its first write
// faults in 2 MiB pages rather than 4 KiB ones; a small one is left alone.
func TestPixelsHugePages(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skipf("this kernel has no transparent huge pages: %v", err)
	}
	const size = 1920 * 1080 * 4 // a 1080p RGBA half frame's values
	c := NewCache(1<<30, 0.5)
	b := c.Buffer(Key{Frame: 1}, size)
	flags, err := vmFlags(uintptr(unsafe.Pointer(&b[len(b)/2])))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(flags, "hg") {
		t.Errorf("the cache's frame buffer's mapping has flags %v, no hg (MADV_HUGEPAGE)", flags)
	}
	if len(Pixels(16)) != 16 {
		t.Error("a small buffer has the wrong size")
	}
}

// vmFlags returns the VmFlags of the mapping of this process that holds
// address a, from /proc/self/smaps.
func vmFlags(a uintptr) ([]string, error) {
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return nil, err
	}
	in := false
	for line := range strings.Lines(string(smaps)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fields[0], "-"); ok && !strings.HasSuffix(fields[0], ":") {
			start, err1 := strconv.ParseUint(lo, 16, 64)
			end, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uint64(a) >= start && uint64(a) < end
			continue
		}
		if in && fields[0] == "VmFlags:" {
			return fields[1:], nil
		}
	}
	return nil, fmt.Errorf("no mapping in /proc/self/smaps holds %#x", a)
}
