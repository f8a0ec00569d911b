package ui

import "testing"

// The budget projection counts every side on screen: A alone as before,
// A and B each with their own frames in in-out and their own frame size,
// against the one budget.
func TestBudgetProjection(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		budget int64
		sides  []sideNeed
		want   string
	}{
		{1 << 30, nil, "budget 1.0 GiB"},
		{1 << 30, []sideNeed{{100, 8 * mib}}, "in-out needs 800 MiB (100 frames × 8.0 MiB), budget 1.0 GiB: fits"},
		{700 * mib, []sideNeed{{100, 8 * mib}}, "in-out needs 800 MiB (100 frames × 8.0 MiB), budget 700 MiB: does not fit"},
		// Each side fits alone; both do not.
		{1 << 30, []sideNeed{{100, 8 * mib}, {100, 8 * mib}}, "in-out needs 2 × 800 MiB (100 frames × 8.0 MiB each), budget 1.0 GiB: does not fit"},
		{2 << 30, []sideNeed{{100, 8 * mib}, {100, 8 * mib}}, "in-out needs 2 × 800 MiB (100 frames × 8.0 MiB each), budget 2.0 GiB: fits"},
		// B has half the frames in in-out (a shorter range), at another size.
		{1 << 30, []sideNeed{{100, 8 * mib}, {50, 2 * mib}}, "in-out needs 800 MiB + 100 MiB (A 100 frames × 8.0 MiB, B 50 frames × 2.0 MiB), budget 1.0 GiB: fits"},
		{850 * mib, []sideNeed{{100, 8 * mib}, {50, 2 * mib}}, "in-out needs 800 MiB + 100 MiB (A 100 frames × 8.0 MiB, B 50 frames × 2.0 MiB), budget 850 MiB: does not fit"},
		// B has no frame in in-out at all.
		{1 << 30, []sideNeed{{100, 8 * mib}, {0, 8 * mib}}, "in-out needs 800 MiB + 0 B (A 100 frames × 8.0 MiB, B 0 frames × 8.0 MiB), budget 1.0 GiB: fits"},
	} {
		if got := budgetProjection(c.budget, c.sides...); got != c.want {
			t.Errorf("budgetProjection(%d, %v)\n got %q\nwant %q", c.budget, c.sides, got, c.want)
		}
	}
}
