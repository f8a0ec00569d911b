package farm

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		r    Span
		n    int
		want []Span
	}{
		{Span{1, 40}, 8, []Span{{1, 8}, {9, 16}, {17, 24}, {25, 32}, {33, 40}}},
		{Span{1001, 1100}, 24, []Span{{1001, 1024}, {1025, 1048}, {1049, 1072}, {1073, 1100}}},               // 4 left: merged
		{Span{1001, 1110}, 24, []Span{{1001, 1024}, {1025, 1048}, {1049, 1072}, {1073, 1096}, {1097, 1110}}}, // 14: kept
		{Span{1, 12}, 10, []Span{{1, 12}}},                                                                   // 2: fewer than MinChunk, merged
		{Span{1, 13}, 10, []Span{{1, 13}}},                                                                   // 3 is under half a chunk: merged
		{Span{1, 15}, 10, []Span{{1, 10}, {11, 15}}},                                                         // 5 is half: kept
		{Span{1, 5}, 3, []Span{{1, 5}}},                                                                      // 2 left: merged
		{Span{1, 6}, 3, []Span{{1, 3}, {4, 6}}},                                                              // even
		{Span{-10, -1}, 4, []Span{{-10, -7}, {-6, -1}}},                                                      // negative frames; 2 left merged
		{Span{1, 3}, 100, []Span{{1, 3}}},                                                                    // one chunk
	} {
		got, err := Split(tc.r, tc.n)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Split(%s, %d) = %v, %v; want %v", tc.r, tc.n, got, err, tc.want)
		}
		for _, c := range got {
			if c.Len() < MinChunk {
				t.Errorf("Split(%s, %d): chunk %s has fewer than %d frames", tc.r, tc.n, c, MinChunk)
			}
		}
	}
	for _, tc := range []struct {
		r    Span
		n    int
		says string
	}{
		{Span{1, 40}, 2, "at least 3"},
		{Span{1, 40}, 0, "at least 3"},
		{Span{1, 2}, 8, "too few"},
	} {
		if got, err := Split(tc.r, tc.n); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Split(%s, %d) = %v, %v; want an error saying %q", tc.r, tc.n, got, err, tc.says)
		}
	}
}

func TestParseSpan(t *testing.T) {
	for s, want := range map[string]Span{"1001-1100": {1001, 1100}, "-10--1": {-10, -1}, "-3-4": {-3, 4}, "7": {7, 7}, "-7": {-7, -7}} {
		if got, err := ParseSpan(s); err != nil || got != want || got.String() != s && s != "7" && s != "-7" {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "a-b", "1-", "10-1", "1-2-3", "1001-1100x2"} {
		if got, err := ParseSpan(s); err == nil {
			t.Errorf("ParseSpan(%q) = %v, want an error", s, got)
		}
	}
}

// testPlan is a plan whose paths need quoting in sh (a space, a quote, a
// dollar), cut into chunks of 8.
func testPlan(t *testing.T, flick string) *Plan {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "it's $HOME")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(flick, "v1", filepath.Join(dir, "shot.####.exr"), Span{1001, 1040}, filepath.Join(dir, "out put.mov"), 8,
		Movie{Width: 64, Height: 48, FPS: "24000/1001", Codec: "h264", CRF: 18, Preset: "veryfast"},
		[]string{"--exposure", "1", "--layer", "a b"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestChunkCommand(t *testing.T) {
	p := testPlan(t, "/opt/flick/bin/flick")
	d := p.Dir()
	want := []string{"/opt/flick/bin/flick", "export", p.Shot, "--range", "1001-1040", "--frames", "1017-1024",
		"-o", d + "/1017-1024.mov", "--report", d + "/1017-1024.json",
		"--width", "64", "--fps", "24000/1001", "--codec", "h264", "--crf", "18", "--preset", "veryfast",
		"--exposure", "1", "--layer", "a b", "--overwrite", "--headless"}
	if got := p.ChunkCommand(2); !slices.Equal(got, want) {
		t.Errorf("chunk 2's command\n%q, want\n%q", got, want)
	}
	join := []string{"/opt/flick/bin/flick", "join", p.Out, d + "/1001-1008.mov", d + "/1009-1016.mov",
		d + "/1017-1024.mov", d + "/1025-1032.mov", d + "/1033-1040.mov"}
	if got := p.JoinCommand(); !slices.Equal(got, join) {
		t.Errorf("join command\n%q, want\n%q", got, join)
	}
	p.Overwrite = true
	if got, want := p.JoinCommand(), slices.Insert(join, 2, "--overwrite"); !slices.Equal(got, want) {
		t.Errorf("join command with Overwrite\n%q, want\n%q", got, want)
	}
	if _, err := NewPlan("flick", "v1", p.Shot, p.Range, p.Out, 8, p.Movie, nil); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("a relative flick binary: %v, want an error asking for absolute paths", err)
	}
}

// recorder writes a stand-in for the flick binary into dir that writes its
// arguments, one a line, to dir/args-N (N counting calls) and exits with
// status done for "farm status" (0: the chunk is done already).
func recorder(t *testing.T, dir string, done int) string {
	t.Helper()
	path := filepath.Join(dir, "record")
	script := "#!/bin/sh\nn=$(ls " + quote(dir) + " | grep -c '^args-')\nprintf '%s\\n' \"$@\" > " + quote(dir) + "/args-$n\n" +
		"if [ \"$1\" = farm ]; then exit " + string(rune('0'+done)) + "; fi\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestChunkScript runs the chunk script with sh as Slurm would run array
// task 2, with the arguments sbatch passes, and checks the commands it runs:
// the status check of chunk 2, then chunk 2's export exactly as
// ChunkCommand gives it (every awkward path arriving whole); and that a
// chunk the status check calls done is not exported again.
func TestChunkScript(t *testing.T) {
	for _, done := range []bool{false, true} {
		rec := t.TempDir()
		status := 1
		if done {
			status = 0
		}
		p := testPlan(t, recorder(t, rec, status))
		if err := p.WriteScripts(); err != nil {
			t.Fatal(err)
		}
		chunks, _ := p.SbatchCommands(nil)
		script := slices.Index(chunks, filepath.Join(p.Dir(), ChunkScriptName))
		cmd := exec.Command("/bin/sh", chunks[script:]...)
		cmd.Env = append(os.Environ(), "SLURM_ARRAY_TASK_ID=2")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("chunk script: %v: %s", err, out)
		}
		read := func(n int) []string {
			data, err := os.ReadFile(filepath.Join(rec, "args-"+string(rune('0'+n))))
			if err != nil {
				return nil
			}
			return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		}
		if got, want := read(0), p.DoneCommand(2)[1:]; !slices.Equal(got, want) {
			t.Errorf("status check %q, want %q", got, want)
		}
		if done {
			if got := read(1); got != nil {
				t.Errorf("a done chunk was run again: %q", got)
			}
			if !strings.Contains(string(out), "done already") {
				t.Errorf("the script did not say the chunk was done: %q", out)
			}
			continue
		}
		if got, want := read(1), p.ChunkCommand(2)[1:]; !slices.Equal(got, want) {
			t.Errorf("chunk 2 ran\n%q, want\n%q", got, want)
		}
	}
	// Outside an array task the script refuses.
	p := testPlan(t, "/bin/true")
	if err := p.WriteScripts(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", filepath.Join(p.Dir(), ChunkScriptName), "1-8")
	cmd.Env = slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, "SLURM_ARRAY_TASK_ID=") })
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "Slurm job array") {
		t.Errorf("run outside an array: %v, %q; want a failure naming the job array", err, out)
	}
}

// TestJoinScript runs the join script as sbatch would and checks it runs
// JoinCommand, with and without Overwrite.
func TestJoinScript(t *testing.T) {
	for _, overwrite := range []bool{false, true} {
		rec := t.TempDir()
		p := testPlan(t, recorder(t, rec, 0))
		p.Overwrite = overwrite
		if err := p.WriteScripts(); err != nil {
			t.Fatal(err)
		}
		_, join := p.SbatchCommands(nil)
		script := slices.Index(join, filepath.Join(p.Dir(), JoinScriptName))
		if out, err := exec.Command("/bin/sh", join[script:]...).CombinedOutput(); err != nil {
			t.Fatalf("join script: %v: %s", err, out)
		}
		data, err := os.ReadFile(filepath.Join(rec, "args-0"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"), p.JoinCommand()[1:]; !slices.Equal(got, want) {
			t.Errorf("overwrite %v: join ran\n%q, want\n%q", overwrite, got, want)
		}
	}
}

func TestSbatchCommands(t *testing.T) {
	p := testPlan(t, "/opt/flick")
	d := p.Dir()
	chunks, join := p.SbatchCommands([]string{"--partition=review", "--time=10"})
	want := []string{"--parsable", "--array=0-4", "--job-name=flick:out put.mov:chunks", "--output=" + d + "/chunk-%a.log",
		"--partition=review", "--time=10", d + "/chunk.sh", "1001-1008", "1009-1016", "1017-1024", "1025-1032", "1033-1040"}
	if !slices.Equal(chunks, want) {
		t.Errorf("chunks' sbatch\n%q, want\n%q", chunks, want)
	}
	want = append([]string{"--parsable", "--dependency=afterok:$CHUNKS", "--kill-on-invalid-dep=yes", "--job-name=flick:out put.mov:join",
		"--output=" + d + "/join.log", "--partition=review", "--time=10", d + "/join.sh"}, p.JoinCommand()[3:]...)
	if !slices.Equal(join, want) {
		t.Errorf("join's sbatch\n%q, want\n%q", join, want)
	}
	for _, a := range append(chunks, join...) {
		if strings.HasPrefix(a, "--export") {
			t.Errorf("sbatch gets %s: values go as script arguments", a)
		}
	}
}

// TestManifest writes a plan's manifest and reads it back: the same plan,
// and every chunk's and the join's command, for another engine to run.
func TestManifest(t *testing.T) {
	p := testPlan(t, "/opt/flick")
	p.Overwrite = true
	jobs := &SlurmJobs{Chunks: "12", Join: "13"}
	path, err := WriteManifest(p.Manifest(jobs))
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(p.Out+".farm", "manifest.json") {
		t.Errorf("manifest at %s, want beside the movie in OUT.farm", path)
	}
	m, err := ReadManifest(p.Out)
	if err != nil {
		t.Fatal(err)
	}
	back, err := m.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, p) {
		t.Errorf("plan read back\n%+v, want\n%+v", back, p)
	}
	if *m.Slurm != *jobs || len(m.Chunks) != 5 || !slices.Equal(m.Join.Command, p.JoinCommand()) {
		t.Errorf("manifest %+v: want 5 chunks, the join's command and jobs %v", m, jobs)
	}
	for i, c := range m.Chunks {
		if c.Index != i || c.Frames != p.Chunks[i].String() || c.Movie != p.ChunkMovie(i) || c.Report != p.ChunkReport(i) ||
			!slices.Equal(c.Command, p.ChunkCommand(i)) || !slices.Equal(c.Done, p.DoneCommand(i)) {
			t.Errorf("manifest chunk %d: %+v", i, c)
		}
	}
	if _, err := ReadManifest(filepath.Join(t.TempDir(), "other.mov")); err == nil || !strings.Contains(err.Error(), "flick farm submit") {
		t.Errorf("no manifest: %v, want an error saying what writes one", err)
	}
}

func TestReadShots(t *testing.T) {
	dir := t.TempDir()
	write := func(text string) string {
		path := filepath.Join(dir, "shots.csv")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	path := write("sequence,range,output\n" +
		"# the night's shots\n" +
		"\n" +
		"a/a.####.exr, 1001-1040, review/a.mov\n" +
		"/shots/b.####.exr,,/review/b.mov,fps=25,codec=prores,chunk=12,overwrite\n")
	shots, err := ReadShots(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Shot{
		{Line: 4, Sequence: filepath.Join(dir, "a/a.####.exr"), Range: "1001-1040", Output: filepath.Join(dir, "review/a.mov")},
		{Line: 5, Sequence: "/shots/b.####.exr", Output: "/review/b.mov", Chunk: 12, Flags: []string{"--fps=25", "--codec=prores", "--overwrite"}},
	}
	if !reflect.DeepEqual(shots, want) {
		t.Errorf("shots\n%+v, want\n%+v", shots, want)
	}
	for _, tc := range []struct{ text, says string }{
		{"a.exr,1-10,a.mov\nb.exr,1-10\n", "shots.csv:2: 2 columns"},
		{"a.exr,1-10,a.mov\n\n# c\nb.exr,10-1,b.mov\n", "shots.csv:4: frames \"10-1\""},
		{"a.exr,1-10,a.mov,--fps=25\n", "shots.csv:1: override \"--fps=25\""},
		{"a.exr,1-10,a.mov,chunk=2\n", "shots.csv:1: override \"chunk=2\""},
		{"a.exr,1-10,a.mov,range=1-5\n", "shots.csv:1: override \"range=1-5\": the range is a column"},
		{"x,y\nsequence,range,output\n", "shots.csv:1: 2 columns"},
		{"a.exr,1-10,a.mov\n,1-10,b.mov\n", "shots.csv:2: no sequence"},
		{"a.exr,1-10,\n", "shots.csv:1: no output"},
		{"a.exr,1-10,\"a.mov\n", "shots.csv:1: extraneous or missing \" in quoted-field"},
		{"sequence,range,output\n# none\n", "no shots"},
	} {
		if _, err := ReadShots(write(tc.text)); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%q: %v, want an error saying %q", tc.text, err, tc.says)
		}
	}
}

// TestChunkDone checks what makes a chunk done: its movie, and a report
// (in the export package's format) for its frames and the pinned movie.
func TestChunkDone(t *testing.T) {
	p := testPlan(t, "/opt/flick")
	if err := os.MkdirAll(p.Dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	const good = `{"first": 1017, "last": 1024, "frames": 8, "index": 16,
		"settings": {"codec": "h264", "crf": 18, "preset": "veryfast", "display": "x"},
		"stream": {"width": 64, "height": 48, "fps": "24000/1001", "codec": "h264"}}`
	for _, tc := range []struct {
		name, report string
		movie        bool
		says         string
	}{
		{"done", good, true, ""},
		{"no movie", good, false, "no movie"},
		{"no report", "", true, "no report"},
		{"broken report", "{", true, "report unreadable"},
		{"other frames", strings.Replace(good, `"last": 1024`, `"last": 1023`, 1), true, "frames 1017-1023"},
		{"fewer frames", strings.Replace(good, `"frames": 8`, `"frames": 7`, 1), true, "(7 frames)"},
		{"other size", strings.Replace(good, `"width": 64`, `"width": 66`, 1), true, "66x48"},
		{"other crf", strings.Replace(good, `"crf": 18`, `"crf": 20`, 1), true, "crf 20"},
		{"other fps", strings.Replace(good, `"fps": "24000/1001"`, `"fps": "24/1"`, 1), true, "at 24/1 fps"},
	} {
		os.Remove(p.ChunkMovie(2))
		os.Remove(p.ChunkReport(2))
		if tc.movie {
			if err := os.WriteFile(p.ChunkMovie(2), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if tc.report != "" {
			if err := os.WriteFile(p.ChunkReport(2), []byte(tc.report), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		err := p.ChunkDone(2)
		if tc.says == "" && err != nil || tc.says != "" && (err == nil || !strings.Contains(err.Error(), tc.says)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.says)
		}
	}
}
