// Package uitest drives the viewer from outside for end-to-end tests the way
// a desktop does: Drop drags files onto its window with the XDND protocol,
// over a plain X11 connection of its own (no Xlib, no module: the few
// requests it needs are written by hand), and Stall serves a file whose
// open never returns, like a network drive that stopped answering.
package uitest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// xconn is a client connection to an X server, little-endian, without
// authentication (a private Xvfb).
type xconn struct {
	c    net.Conn
	root uint32
	next uint32 // the next resource id to allocate
}

// X11 request opcodes and event codes used here.
const (
	opCreateWindow      = 1
	opInternAtom        = 16
	opChangeProperty    = 18
	opSetSelectionOwner = 22
	opSendEvent         = 25

	evSelectionRequest = 30
	evSelectionNotify  = 31
	evClientMessage    = 33
)

// dialX connects to display (":N") through its Unix socket.
func dialX(display string) (*xconn, error) {
	n, ok := strings.CutPrefix(display, ":")
	if !ok {
		return nil, fmt.Errorf("display %q: want :N", display)
	}
	n, _, _ = strings.Cut(n, ".")
	c, err := net.Dial("unix", "/tmp/.X11-unix/X"+n)
	if err != nil {
		return nil, fmt.Errorf("connect to X display %s: %w", display, err)
	}
	x := &xconn{c: c}
	if err := x.setup(); err != nil {
		c.Close()
		return nil, fmt.Errorf("X display %s: %w", display, err)
	}
	return x, nil
}

// setup does the connection handshake and keeps the first screen's root
// window and the resource ids the server gave this client.
func (x *xconn) setup() error {
	hello := []byte{'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if _, err := x.c.Write(hello); err != nil {
		return err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(x.c, head); err != nil {
		return err
	}
	body := make([]byte, 4*int(binary.LittleEndian.Uint16(head[6:])))
	if _, err := io.ReadFull(x.c, body); err != nil {
		return err
	}
	if head[0] != 1 {
		return fmt.Errorf("connection refused: %s", body[:min(int(head[1]), len(body))])
	}
	base := binary.LittleEndian.Uint32(body[4:])
	vendor := int(binary.LittleEndian.Uint16(body[16:]))
	formats := int(body[21])
	screen := 32 + (vendor+3)&^3 + 8*formats
	x.root = binary.LittleEndian.Uint32(body[screen:])
	x.next = base
	return nil
}

// request sends one request: opcode, the byte after it, and the rest
// (padded to 4 bytes; the length field is filled in).
func (x *xconn) request(op, data byte, rest []byte) error {
	for len(rest)%4 != 0 {
		rest = append(rest, 0)
	}
	req := make([]byte, 4, 4+len(rest))
	req[0], req[1] = op, data
	binary.LittleEndian.PutUint16(req[2:], uint16(1+len(rest)/4))
	_, err := x.c.Write(append(req, rest...))
	return err
}

// read returns the next event or reply (replies with their extra data);
// an X error is returned as an error.
func (x *xconn) read() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(x.c, b); err != nil {
		return nil, err
	}
	switch b[0] {
	case 0:
		return nil, fmt.Errorf("X error %d on request %d (value %#x)", b[1], b[10], binary.LittleEndian.Uint32(b[4:]))
	case 1:
		extra := make([]byte, 4*int(binary.LittleEndian.Uint32(b[4:])))
		if _, err := io.ReadFull(x.c, extra); err != nil {
			return nil, err
		}
		return append(b, extra...), nil
	}
	return b, nil
}

// atom interns name. Call it before any event can arrive: other events
// than its reply are an error here.
func (x *xconn) atom(name string) (uint32, error) {
	rest := le(uint32(len(name))) // the name length (16 bits) and 2 unused bytes
	if err := x.request(opInternAtom, 0, append(rest, name...)); err != nil {
		return 0, err
	}
	r, err := x.read()
	if err != nil {
		return 0, fmt.Errorf("intern %s: %w", name, err)
	}
	if r[0] != 1 {
		return 0, fmt.Errorf("intern %s: event %d instead of the reply", name, r[0])
	}
	return binary.LittleEndian.Uint32(r[8:]), nil
}

// le encodes 32-bit values little-endian.
func le(vs ...uint32) []byte {
	b := make([]byte, 0, 4*len(vs))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// sendEvent sends a 32-byte event to window's creator (empty event mask).
func (x *xconn) sendEvent(window uint32, event []byte) error {
	return x.request(opSendEvent, 0, append(le(window, 0), event...))
}

// clientMessage sends a format-32 ClientMessage of type typ to window.
func (x *xconn) clientMessage(window, typ uint32, data [5]uint32) error {
	ev := append([]byte{evClientMessage, 32, 0, 0}, le(window, typ)...)
	return x.sendEvent(window, append(ev, le(data[:]...)...))
}

// Drop drops paths (files or folders) on window (an X window id, as
// xdotool prints) of display at (x, y) in root coordinates, as a file
// manager does with XDND version 5: it owns XdndSelection, sends
// XdndEnter and XdndPosition, waits for the target's XdndStatus, sends
// XdndDrop, answers the target's selection request with a text/uri-list,
// and waits for XdndFinished. It gives up after timeout.
func Drop(display string, window uint32, x, y int, paths []string, timeout time.Duration) error {
	c, err := dialX(display)
	if err != nil {
		return err
	}
	defer c.c.Close()
	c.c.SetDeadline(time.Now().Add(timeout))
	atoms := map[string]uint32{}
	for _, name := range []string{"XdndAware", "XdndSelection", "XdndEnter", "XdndPosition", "XdndStatus",
		"XdndDrop", "XdndFinished", "XdndActionCopy", "text/uri-list"} {
		if atoms[name], err = c.atom(name); err != nil {
			return err
		}
	}
	source := c.next
	// An input-only 1x1 window, never mapped: it only receives the
	// target's messages and owns the selection.
	create := append(le(source, c.root), 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 2, 0)
	if err := c.request(opCreateWindow, 0, append(create, le(0, 0)...)); err != nil {
		return err
	}
	if err := c.request(opSetSelectionOwner, 0, le(source, atoms["XdndSelection"], 0)); err != nil {
		return err
	}
	const version = 5
	uriList := atoms["text/uri-list"]
	if err := c.clientMessage(window, atoms["XdndEnter"], [5]uint32{source, version << 24, uriList}); err != nil {
		return err
	}
	pos := uint32(x)<<16 | uint32(y)&0xffff
	if err := c.clientMessage(window, atoms["XdndPosition"], [5]uint32{source, 0, pos, 0, atoms["XdndActionCopy"]}); err != nil {
		return err
	}
	status, err := c.waitMessage(atoms["XdndStatus"])
	if err != nil {
		return fmt.Errorf("no XdndStatus from window %#x: %w", window, err)
	}
	if status[1]&1 == 0 {
		return fmt.Errorf("window %#x does not accept text/uri-list", window)
	}
	if err := c.clientMessage(window, atoms["XdndDrop"], [5]uint32{source, 0, 0}); err != nil {
		return err
	}
	for {
		ev, err := c.read()
		if err != nil {
			return fmt.Errorf("drop on window %#x: %w", window, err)
		}
		switch ev[0] & 0x7f {
		case evSelectionRequest:
			if err := c.answer(ev, uriList, paths); err != nil {
				return err
			}
		case evClientMessage:
			if binary.LittleEndian.Uint32(ev[8:]) == atoms["XdndFinished"] {
				return nil
			}
		}
	}
}

// waitMessage waits for a ClientMessage of type typ and returns its data.
func (x *xconn) waitMessage(typ uint32) ([5]uint32, error) {
	for {
		ev, err := x.read()
		if err != nil {
			return [5]uint32{}, err
		}
		if ev[0]&0x7f == evClientMessage && binary.LittleEndian.Uint32(ev[8:]) == typ {
			var d [5]uint32
			for i := range d {
				d[i] = binary.LittleEndian.Uint32(ev[12+4*i:])
			}
			return d, nil
		}
	}
}

// answer serves a SelectionRequest for the drop: the paths as a
// text/uri-list in the requestor's property, then SelectionNotify.
func (x *xconn) answer(req []byte, uriList uint32, paths []string) error {
	at := func(i int) uint32 { return binary.LittleEndian.Uint32(req[i:]) }
	stamp, requestor, selection, target, property := at(4), at(12), at(16), at(20), at(24)
	if target != uriList {
		return errors.New("the drop target asked for another type than text/uri-list")
	}
	var list strings.Builder
	for _, p := range paths {
		list.WriteString((&url.URL{Scheme: "file", Path: p}).String() + "\r\n")
	}
	data := list.String()
	prop := append(le(requestor, property, uriList), 8, 0, 0, 0)
	prop = append(append(prop, le(uint32(len(data)))...), data...)
	if err := x.request(opChangeProperty, 0, prop); err != nil {
		return err
	}
	notify := append([]byte{evSelectionNotify, 0, 0, 0}, le(stamp, requestor, selection, target, property, 0, 0)...)
	return x.sendEvent(requestor, notify)
}
