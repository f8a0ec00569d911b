package farm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// The scripts' names in the farm folder.
const (
	ChunkScriptName = "chunk.sh"
	JoinScriptName  = "join.sh"
)

// ChunkScript is the job array's script. Its arguments are the chunks'
// frames, FIRST-LAST, one per array index (arguments, not --export: each
// exported variable costs seconds per job); the task's index picks its
// chunk. A requeued task whose chunk is done already exits at once.
func (p *Plan) ChunkScript() string {
	// The chunk's own words are shell variables; NUL, which no argument
	// holds, marks them.
	vars := map[string]string{"\x00frames": `"$frames"`, "\x00movie": `"$dir/$frames.mov"`, "\x00report": `"$dir/$frames.json"`}
	cmd := p.exportArgs("\x00frames", "\x00movie", "\x00report")
	for i, a := range cmd {
		if v, ok := vars[a]; ok {
			cmd[i] = v
		} else {
			cmd[i] = quote(a)
		}
	}
	done := quote(p.Flick) + ` farm status --chunk "$i" ` + quote(p.Out)
	return "#!/bin/sh\n" +
		"# flick farm: a chunk of " + p.Out + " per task of a Slurm job array.\n" +
		"# Written by flick farm submit; the arguments are the chunks' frames\n" +
		"# (FIRST-LAST), one per array index.\n" +
		"set -eu\n" +
		"i=${SLURM_ARRAY_TASK_ID:?not run as a task of a Slurm job array}\n" +
		"shift \"$i\"\n" +
		"frames=$1\n" +
		"dir=" + quote(p.Dir()) + "\n" +
		"unset OCIO # a config the chunks use is named by --ocio: a node's own must not change them\n" +
		"if " + done + " >/dev/null; then\n" +
		"\techo \"flick farm: chunk $i ($frames) is done already\"\n" +
		"\texit 0\n" +
		"fi\n" +
		"exec " + quote(p.Flick) + " " + strings.Join(cmd, " ") + "\n"
}

// JoinScript is the join job's script; its arguments are the chunks'
// movies, in order.
func (p *Plan) JoinScript() string {
	return "#!/bin/sh\n" +
		"# flick farm: joins the chunks of " + p.Out + " once all have succeeded.\n" +
		"# Written by flick farm submit; the arguments are the chunks' movies.\n" +
		"set -eu\n" +
		"exec " + QuoteCommand(p.joinArgs()) + " \"$@\"\n"
}

// quote makes s one word for sh.
func quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// QuoteCommand is argv as one sh command line.
func QuoteCommand(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = quote(a)
	}
	return strings.Join(q, " ")
}

// WriteScripts writes the manifest (without jobs) and both scripts into the
// farm folder.
func (p *Plan) WriteScripts() error {
	if _, err := WriteManifest(p.Manifest(nil)); err != nil {
		return err
	}
	for name, text := range map[string]string{ChunkScriptName: p.ChunkScript(), JoinScriptName: p.JoinScript()} {
		if err := writeFile(filepath.Join(p.Dir(), name), []byte(text), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// JobIDPlaceholder stands for the chunk array's job id in the join's
// sbatch command until the array is submitted.
const JobIDPlaceholder = "$CHUNKS"

// SbatchCommands are the two sbatch command lines (without "sbatch"): the
// chunks' job array, then the join, which depends on every task of the
// array (afterok) and is cancelled by Slurm when one fails
// (--kill-on-invalid-dep), its dependency naming JobIDPlaceholder. extra
// (sbatch options: partition, account, time ...) goes on both, after
// flick's own options, so that it wins.
func (p *Plan) SbatchCommands(extra []string) (chunks, join []string) {
	name := "flick:" + filepath.Base(p.Out)
	chunks = append([]string{"--parsable", "--array=0-" + strconv.Itoa(len(p.Chunks)-1), "--job-name=" + name + ":chunks",
		"--output=" + filepath.Join(p.Dir(), "chunk-%a.log")}, extra...)
	chunks = append(append(chunks, filepath.Join(p.Dir(), ChunkScriptName)), spanStrings(p.Chunks)...)
	join = append([]string{"--parsable", "--dependency=afterok:" + JobIDPlaceholder, "--kill-on-invalid-dep=yes",
		"--job-name=" + name + ":join", "--output=" + filepath.Join(p.Dir(), "join.log")}, extra...)
	join = append(append(join, filepath.Join(p.Dir(), JoinScriptName)), p.chunkMovies()...)
	return chunks, join
}

func spanStrings(spans []Span) []string {
	s := make([]string, len(spans))
	for i, c := range spans {
		s[i] = c.String()
	}
	return s
}

// Submit writes the scripts and the manifest, submits the chunks' job array
// and the join through sbatch, and records the job ids in the manifest. If
// the join cannot be submitted the array is cancelled (scancel): no chunks
// run for a movie that would never be joined.
func (p *Plan) Submit(ctx context.Context, extra []string) (SlurmJobs, error) {
	if err := p.WriteScripts(); err != nil {
		return SlurmJobs{}, err
	}
	chunkArgs, joinArgs := p.SbatchCommands(extra)
	var jobs SlurmJobs
	var err error
	if jobs.Chunks, err = sbatch(ctx, chunkArgs); err != nil {
		return jobs, err
	}
	for i, a := range joinArgs {
		joinArgs[i] = strings.ReplaceAll(a, JobIDPlaceholder, jobs.Chunks)
	}
	if jobs.Join, err = sbatch(ctx, joinArgs); err != nil {
		if cerr := exec.CommandContext(ctx, "scancel", jobs.Chunks).Run(); cerr != nil {
			err = fmt.Errorf("%w; and cancelling the chunks' job %s failed: %v", err, jobs.Chunks, cerr)
		}
		return SlurmJobs{}, err
	}
	_, err = WriteManifest(p.Manifest(&jobs))
	return jobs, err
}

// sbatch runs sbatch --parsable ... and returns the job id it printed
// ("ID" or "ID;CLUSTER").
func sbatch(ctx context.Context, args []string) (string, error) {
	cmd := exec.CommandContext(ctx, "sbatch", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", errors.New("sbatch is not installed here: submit from a Slurm login node (Debian: slurm-client), or write a manifest for another engine with --engine manifest")
		}
		return "", fmt.Errorf("sbatch: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	id, _, _ := strings.Cut(strings.TrimSpace(stdout.String()), ";")
	if _, err := strconv.Atoi(id); err != nil {
		return "", fmt.Errorf("sbatch printed %q, not a job id", stdout.String())
	}
	return id, nil
}
