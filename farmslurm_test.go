package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"flick/export/exporttest"
)

// slurm is a one-node Slurm cluster of this machine, its daemons children
// of the test.
type slurm struct {
	env []string // SLURM_CONF for the client commands
}

// startSlurm writes a slurm.conf for this host into a temporary folder,
// starts munged, slurmctld and slurmd in the foreground with it, and waits
// for the node to be idle; the cleanup stops them by their PIDs. Without
// Slurm installed the test is skipped, or fails under CI
// (FLICK_REQUIRE_SAMPLES=1 or CI=true), where .ci/run installs it.
func startSlurm(t *testing.T) *slurm {
	t.Helper()
	progs := map[string]string{}
	for _, prog := range []string{"munged", "slurmctld", "slurmd", "sbatch", "sinfo", "scontrol"} {
		path, err := exec.LookPath(prog)
		if err != nil {
			// The daemons are in /usr/sbin, which a user's PATH may lack.
			path, err = exec.LookPath(filepath.Join("/usr/sbin", prog))
		}
		progs[prog] = path
		if err != nil {
			msg := fmt.Sprintf("%s is not installed: the Slurm tests need slurmctld slurmd slurm-client munge (Debian packages; .ci/run installs them)", prog)
			if os.Getenv("FLICK_REQUIRE_SAMPLES") == "1" || os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	dir, err := os.MkdirTemp("", "flick-slurm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ = strings.Cut(host, ".") // slurmd goes by the short name
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 1024)
	rand.Read(key)
	if err := os.WriteFile(filepath.Join(dir, "munge.key"), key, 0o400); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"state", "spool"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	socket := filepath.Join(dir, "munge.socket")
	conf := filepath.Join(dir, "slurm.conf")
	// Scheduling every second (not every minute) keeps the waits short.
	text := fmt.Sprintf(`ClusterName=flicktest
SlurmctldHost=%[1]s
SlurmctldPort=%[3]d
SlurmdPort=%[4]d
SlurmUser=%[5]s
SlurmdUser=%[5]s
AuthType=auth/munge
AuthInfo=socket=%[6]s
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
StateSaveLocation=%[2]s/state
SlurmdSpoolDir=%[2]s/spool
SlurmctldPidFile=%[2]s/slurmctld.pid
SlurmdPidFile=%[2]s/slurmd.pid
SlurmctldLogFile=%[2]s/slurmctld.log
SlurmdLogFile=%[2]s/slurmd.log
NodeName=%[1]s CPUs=2 RealMemory=500 State=UNKNOWN
PartitionName=test Nodes=%[1]s Default=YES MaxTime=INFINITE State=UP
`, host, dir, freePort(t), freePort(t), me.Username, socket)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &slurm{env: []string{"SLURM_CONF=" + conf}}
	daemon := func(name string, args ...string) {
		cmd := exec.Command(progs[name], args...)
		cmd.Env = append(os.Environ(), s.env...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
			if t.Failed() {
				t.Logf("%s said:\n%s", name, out.String())
			}
		})
	}
	// munged runs as root here: --force lets it, and take a key file it
	// did not make.
	daemon("munged", "--foreground", "--force", "--socket="+socket, "--key-file="+filepath.Join(dir, "munge.key"),
		"--pid-file="+filepath.Join(dir, "munged.pid"), "--log-file="+filepath.Join(dir, "munged.log"),
		"--seed-file="+filepath.Join(dir, "munge.seed"))
	s.waitFor(t, time.Minute, "munged's socket", func() bool { _, err := os.Stat(socket); return err == nil })
	daemon("slurmctld", "-D", "-c", "-f", conf)
	daemon("slurmd", "-D", "-f", conf)
	t.Cleanup(func() {
		if t.Failed() {
			for _, log := range []string{"slurmctld.log", "slurmd.log"} {
				data, _ := os.ReadFile(filepath.Join(dir, log))
				t.Logf("%s:\n%s", log, data)
			}
		}
	})
	start := time.Now()
	s.waitFor(t, time.Minute, "the node to be idle", func() bool {
		out, _ := s.command("sinfo", "-h", "-o", "%t").Output()
		return strings.TrimSpace(string(out)) == "idle"
	})
	t.Logf("cluster idle %.1fs after start", time.Since(start).Seconds())
	return s
}

// freePort is a TCP port nothing listens on now.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *slurm) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), s.env...)
	return cmd
}

// waitFor polls cond until it holds, failing the test after limit.
func (s *slurm) waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// jobState is a job's (or array task's) state and reason, from scontrol.
func (s *slurm) jobState(t *testing.T, id string) (state, reason string) {
	out, err := s.command("scontrol", "-o", "show", "job", id).Output()
	if err != nil {
		t.Fatalf("scontrol show job %s: %v", id, err)
	}
	for _, f := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(f, "JobState="); ok {
			state = v
		} else if v, ok := strings.CutPrefix(f, "Reason="); ok {
			reason = v
		}
	}
	return state, reason
}

// waitEnded waits for job id to end and returns its state and reason.
func (s *slurm) waitEnded(t *testing.T, id string) (state, reason string) {
	t.Helper()
	s.waitFor(t, 3*time.Minute, "job "+id+" to end", func() bool {
		state, reason = s.jobState(t, id)
		return !slices.Contains([]string{"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED"}, state)
	})
	return state, reason
}

// TestFarmSlurm submits a 40-frame shot in chunks of 8 to a one-node Slurm
// cluster and checks the joined movie against a single-pass export (ProRes
// is intra-only: the decoded frames are the same bits); requeues a done
// chunk, which skips its work; then makes one chunk of another movie fail
// (its movie's path is a folder) and checks that Slurm cancels the join and
// no movie appears.
func TestFarmSlurm(t *testing.T) {
	s := startSlurm(t)
	dir := t.TempDir()
	shot := writeFrames(t, dir, 1001, 1040)
	single := filepath.Join(dir, "single.mov")
	if code, _, stderr := runFlick(t, "export", shot, "--range", "1001-1040", "-o", single, "--codec", "prores"); code != 0 {
		t.Fatalf("single-pass export: exit %d: %s", code, stderr)
	}
	submit := func(out string) submitted {
		t.Helper()
		code, stdout, stderr := runFlickEnv(t, s.env, "farm", "submit", shot, "--range", "1001-1040", "-o", out, "--chunk", "8", "--codec", "prores")
		var jobs submitted
		if code != 0 || json.Unmarshal([]byte(stdout), &jobs) != nil || jobs.ChunkJob == "" || jobs.JoinJob == "" || jobs.Chunks != 5 {
			t.Fatalf("farm submit: exit %d: %s%s", code, stdout, stderr)
		}
		return jobs
	}

	out := filepath.Join(dir, "review.mov")
	start := time.Now()
	jobs := submit(out)
	if state, reason := s.waitEnded(t, jobs.JoinJob); state != "COMPLETED" {
		data, _ := os.ReadFile(filepath.Join(out+".farm", "join.log"))
		t.Fatalf("join %s, %s: %s", state, reason, data)
	}
	t.Logf("40 frames in chunks of 8: submitted to joined in %.1fs", time.Since(start).Seconds())
	var want, got [][]uint16
	for path, frames := range map[string]*[][]uint16{single: &want, out: &got} {
		if _, err := exporttest.Decode(path, func(_ int, rgba []uint16) error {
			*frames = append(*frames, slices.Clone(rgba))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 40 || len(want) != 40 {
		t.Fatalf("%d frames joined, %d in the single pass; want 40", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("frame %d differs from the single-pass export's (PSNR %.1f dB)", 1001+i, exporttest.PSNR(got[i], want[i], 0, 1, 2))
		}
	}
	if code, stdout, _ := runFlick(t, "farm", "status", out); code != 0 || !strings.Contains(stdout, "5 of 5 chunks done; joined") {
		t.Errorf("farm status: exit %d: %s", code, stdout)
	}

	// A requeued task whose chunk is done skips it: its movie is untouched.
	chunk := filepath.Join(out+".farm", "1001-1008.mov")
	before, err := os.Stat(chunk)
	if err != nil {
		t.Fatal(err)
	}
	if msg, err := s.command("scontrol", "requeue", jobs.ChunkJob+"_0").CombinedOutput(); err != nil {
		t.Fatalf("scontrol requeue: %v: %s", err, msg)
	}
	// Slurm holds a requeued job back (its begin time some time ahead);
	// the test lets it start now.
	if msg, err := s.command("scontrol", "update", "JobId="+jobs.ChunkJob+"_0", "StartTime=now").CombinedOutput(); err != nil {
		t.Fatalf("scontrol update: %v: %s", err, msg)
	}
	if state, reason := s.waitEnded(t, jobs.ChunkJob+"_0"); state != "COMPLETED" {
		t.Fatalf("requeued chunk %s, %s", state, reason)
	}
	log, _ := os.ReadFile(filepath.Join(out+".farm", "chunk-0.log"))
	if after, err := os.Stat(chunk); err != nil || !after.ModTime().Equal(before.ModTime()) || !bytes.Contains(log, []byte("done already")) {
		t.Errorf("the requeued chunk was made again (%v); its log: %s", err, log)
	}

	t.Logf("requeued chunk skipped %.1fs after the submission", time.Since(start).Seconds())

	// A failed chunk: the join is cancelled, no movie.
	failed := filepath.Join(dir, "failed.mov")
	if err := os.MkdirAll(filepath.Join(failed+".farm", "1009-1016.mov"), 0o755); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	jobs = submit(failed)
	if state, reason := s.waitEnded(t, jobs.JoinJob); state != "CANCELLED" || reason != "DependencyNeverSatisfied" {
		t.Errorf("join after a failed chunk: %s, %s; want CANCELLED, DependencyNeverSatisfied", state, reason)
	}
	t.Logf("join cancelled %.1fs after the submission", time.Since(start).Seconds())
	if state, _ := s.jobState(t, jobs.ChunkJob+"_1"); state != "FAILED" {
		t.Errorf("chunk 1: %s, want FAILED", state)
	}
	// The other chunks run on (and must end before the cluster stops:
	// slurmd leaves running jobs behind).
	for i := range 5 {
		s.waitEnded(t, fmt.Sprintf("%s_%d", jobs.ChunkJob, i))
	}
	if _, err := os.Stat(failed); err == nil {
		t.Error("a movie appeared although a chunk failed")
	}
	code, stdout, _ := runFlick(t, "farm", "status", failed)
	if code != 1 || !strings.Contains(stdout, "chunk 1 (1009-1016): not done") || !strings.Contains(stdout, "4 of 5 chunks done; not joined") {
		t.Errorf("farm status after a failed chunk: exit %d: %s", code, stdout)
	}
	_, stdout, _ = runFlick(t, "farm", "status", "--json", failed)
	var st farmStatus
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || st.Joined || len(st.Chunks) != 5 || st.Chunks[1].Done || st.Slurm == nil || st.Slurm.Join != jobs.JoinJob {
		t.Errorf("farm status --json after a failed chunk: %s (%v)", stdout, err)
	}
}
