package cryptomatte

import (
	"slices"
	"testing"
)

// TestParseList: Nuke's matte lists, with the names of special_chars.exr
// (a comma, quotes and trailing spaces, Cyrillic), read back to the names;
// FormatList writes each list that ParseList reads back unchanged.
func TestParseList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a, b", []string{"a", "b"}},
		{"a,b ,  c", []string{"a", "b", "c"}},
		{"a,,b", []string{"a", "b"}},
		{`"name, with, comma", равнина`, []string{"name, with, comma", "равнина"}},
		{`"name containing a \"quote\"  ", name_containing/slash`, []string{`name containing a "quote"  `, "name_containing/slash"}},
		{`"back\\slash"`, []string{`back\slash`}},
		{`a\,b`, []string{"a,b"}},
		{`""`, []string{""}},
		{`<6.0705627e-17>, /cow`, []string{"<6.0705627e-17>", "/cow"}},
	} {
		got, err := ParseList(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseList(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if tc.want == nil {
			continue
		}
		back, err := ParseList(FormatList(tc.want))
		if err != nil || !slices.Equal(back, tc.want) {
			t.Errorf("ParseList(FormatList(%q)) = %q (%q), %v", tc.want, back, FormatList(tc.want), err)
		}
	}
	if got := FormatList([]string{`name containing a "quote"  `, "name, with, comma", "/cow"}); got != `"name containing a \"quote\"  ", "name, with, comma", /cow` {
		t.Errorf("FormatList = %s", got)
	}
	for _, bad := range []string{`"open`, `a\`} {
		if got, err := ParseList(bad); err == nil {
			t.Errorf("ParseList(%q) = %q, want an error", bad, got)
		}
	}
}

// TestListID: an ID in angle brackets reads back as its float's bits, and
// ListEntry writes one for an ID the manifest does not name.
func TestListID(t *testing.T) {
	id := ID("hello")
	m, err := ParseManifest([]byte(`{"cube":"d9682f08"}`))
	if err != nil {
		t.Fatal(err)
	}
	entry := ListEntry(m, id)
	if got, ok := ListID(entry); !ok || got != id {
		t.Errorf("ListID(%q) = %08x, %v; want %08x", entry, got, ok, id)
	}
	if got := ListEntry(m, ID("cube")); got != "cube" {
		t.Errorf("ListEntry = %q, want cube", got)
	}
	for _, notID := range []string{"cube", "<cube>", "<1", "1>"} {
		if _, ok := ListID(notID); ok {
			t.Errorf("ListID(%q) is an ID", notID)
		}
	}
}
