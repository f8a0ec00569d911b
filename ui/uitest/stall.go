//go:build linux

package uitest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Stall is a file system (FUSE, served by this process) holding one
// regular file, Path, whose stat answers at once but whose open does not
// return until Release: a network drive that stopped answering. Like a
// hard NFS mount, a waiting open is killable but not interruptible: it
// ends when its process is killed (or exits), not on other signals.
type Stall struct {
	Path string
	dir  string
	fd   int
	size int64
	done chan struct{} // closed when the server loop ends

	mu       sync.Mutex
	waiting  map[uint64]int // opens not answered: request id → thread id
	opened   int            // opens that have reached the file system
	released bool
}

// FUSE opcodes (linux/fuse.h) used here, and the node ids of the root
// folder and of the file.
const (
	fuseLookup      = 1
	fuseForget      = 2
	fuseGetattr     = 3
	fuseOpen        = 14
	fuseRelease     = 18
	fuseFlush       = 25
	fuseInit        = 26
	fuseOpendir     = 27
	fuseReaddir     = 28
	fuseReleasedir  = 29
	fuseInterrupt   = 36
	fuseBatchForget = 42

	rootNode = 1
	fileNode = 2
	fileName = "stalled.exr"
)

// NewStall mounts a Stall whose file claims size bytes. It needs
// /dev/fuse and the right to mount (root, or CAP_SYS_ADMIN); the error
// says which is missing. Close unmounts it.
func NewStall(size int64) (*Stall, error) {
	fd, err := syscall.Open("/dev/fuse", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/fuse (a stalled drive is simulated with FUSE): %w", err)
	}
	dir, err := os.MkdirTemp("", "flick-stall")
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	opts := fmt.Sprintf("fd=%d,rootmode=40000,user_id=%d,group_id=%d", fd, os.Getuid(), os.Getgid())
	if err := syscall.Mount("flick-stall", dir, "fuse", syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
		syscall.Close(fd)
		os.Remove(dir)
		return nil, fmt.Errorf("mount a FUSE file system at %s (needs root or CAP_SYS_ADMIN): %w", dir, err)
	}
	s := &Stall{Path: filepath.Join(dir, fileName), dir: dir, fd: fd, size: size, done: make(chan struct{}),
		waiting: map[uint64]int{}}
	go s.serve()
	go s.watchKills()
	return s, nil
}

// Opens is how many opens of Path have reached the file system so far.
func (s *Stall) Opens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened
}

// Release makes every waiting open, and every later one, fail with EIO,
// as a drive that gives up does.
func (s *Stall) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.released = true
	for id := range s.waiting {
		s.reply(id, syscall.EIO, nil)
		delete(s.waiting, id)
	}
}

// Close releases the file, unmounts the file system and waits for the
// server to stop.
func (s *Stall) Close() error {
	s.Release()
	err := syscall.Unmount(s.dir, syscall.MNT_DETACH)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		err = errors.Join(err, fmt.Errorf("the FUSE server at %s did not stop", s.dir))
	}
	syscall.Close(s.fd)
	return errors.Join(err, os.Remove(s.dir))
}

// serve answers the kernel's requests until the file system is unmounted.
func (s *Stall) serve() {
	defer close(s.done)
	buf := make([]byte, 1<<17+4096) // the kernel wants room for max_write and a header
	for {
		n, err := syscall.Read(s.fd, buf)
		switch {
		case err == syscall.EINTR || err == syscall.EAGAIN || err == syscall.ENOENT:
			continue // interrupted, or a request the kernel withdrew
		case err != nil || n < 40:
			return // ENODEV: unmounted
		}
		op := binary.LittleEndian.Uint32(buf[4:])
		id := binary.LittleEndian.Uint64(buf[8:])
		node := binary.LittleEndian.Uint64(buf[16:])
		tid := int(binary.LittleEndian.Uint32(buf[32:]))
		s.handle(op, id, node, tid, buf[40:n])
	}
}

// handle answers one request; the stalled open is kept waiting.
func (s *Stall) handle(op uint32, id, node uint64, tid int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch op {
	case fuseInit:
		out := make([]byte, 64)
		binary.LittleEndian.PutUint32(out[0:], 7)  // major
		binary.LittleEndian.PutUint32(out[4:], 31) // minor
		copy(out[8:12], body[8:12])                // max_readahead as asked
		binary.LittleEndian.PutUint16(out[16:], 16)
		binary.LittleEndian.PutUint16(out[18:], 12)
		binary.LittleEndian.PutUint32(out[20:], 1<<17) // max_write
		binary.LittleEndian.PutUint32(out[24:], 1)     // time granularity, ns
		s.reply(id, 0, out)
	case fuseLookup:
		if strings.TrimRight(string(body), "\x00") != fileName || node != rootNode {
			s.reply(id, syscall.ENOENT, nil)
			return
		}
		out := le64(fileNode, 0, 3600, 3600)
		s.reply(id, 0, append(append(out, 0, 0, 0, 0, 0, 0, 0, 0), s.attr(fileNode)...))
	case fuseGetattr:
		s.reply(id, 0, append(le64(3600, 0), s.attr(node)...))
	case fuseOpen:
		s.opened++
		if s.released {
			s.reply(id, syscall.EIO, nil)
			return
		}
		s.waiting[id] = tid
	case fuseOpendir:
		s.reply(id, 0, make([]byte, 16))
	case fuseReaddir, fuseRelease, fuseReleasedir, fuseFlush:
		s.reply(id, 0, nil)
	case fuseForget, fuseBatchForget, fuseInterrupt:
		// No answer: forgetting needs none; an interrupted open is
		// answered only when its process dies (watchKills).
	default:
		s.reply(id, syscall.ENOSYS, nil)
	}
}

// attr is a fuse_attr for node: the root folder or the file.
func (s *Stall) attr(node uint64) []byte {
	mode, nlink, size := uint32(syscall.S_IFDIR|0o755), uint32(2), uint64(0)
	if node == fileNode {
		mode, nlink, size = syscall.S_IFREG|0o644, 1, uint64(s.size)
	}
	now := uint64(time.Now().Unix())
	out := le64(node, size, (size+511)/512, now, now, now)
	out = append(out, make([]byte, 12)...) // nanoseconds
	for _, v := range []uint32{mode, nlink, uint32(os.Getuid()), uint32(os.Getgid()), 0, 4096, 0} {
		out = binary.LittleEndian.AppendUint32(out, v)
	}
	return out
}

// watchKills answers a waiting open with EINTR once the thread that made
// it has a SIGKILL pending or is gone (the kernel waits for the answer
// before the thread can exit).
func (s *Stall) watchKills() {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-tick.C:
		}
		s.mu.Lock()
		for id, tid := range s.waiting {
			if killed(tid) {
				s.reply(id, syscall.EINTR, nil)
				delete(s.waiting, id)
			}
		}
		s.mu.Unlock()
	}
}

// killed reports whether thread tid is gone or has SIGKILL pending.
func killed(tid int) bool {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return true
	}
	for _, line := range strings.Split(string(status), "\n") {
		name, value, _ := strings.Cut(line, ":")
		if name == "SigPnd" || name == "ShdPnd" {
			if mask, err := strconv.ParseUint(strings.TrimSpace(value), 16, 64); err == nil && mask&(1<<(syscall.SIGKILL-1)) != 0 {
				return true
			}
		}
	}
	return strings.Contains(string(status), "State:\tZ")
}

// reply writes the answer to request id: an errno (0: success) and out.
// Errors are dropped: the request may have been withdrawn.
func (s *Stall) reply(id uint64, errno syscall.Errno, out []byte) {
	msg := make([]byte, 16, 16+len(out))
	binary.LittleEndian.PutUint32(msg[0:], uint32(16+len(out)))
	binary.LittleEndian.PutUint32(msg[4:], uint32(-int32(errno)))
	binary.LittleEndian.PutUint64(msg[8:], id)
	syscall.Write(s.fd, append(msg, out...))
}

// le64 encodes 64-bit values little-endian.
func le64(vs ...uint64) []byte {
	b := make([]byte, 0, 8*len(vs))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}
