package main

import (
	"fmt"
	"time"

	"flick/engine"
	"flick/engine/timecode"
	"flick/export"
	"flick/export/burnin"
)

// parseBurnins checks flick export's --burnin templates against the
// standard fields and those --field adds; any error is a *burnin.Error
// naming the template or field (a usage error).
func parseBurnins(specs, fieldSpecs []string) ([]burnin.Template, burnin.Fields, error) {
	fields := burnin.Fields{}
	for _, s := range fieldSpecs {
		k, v, err := burnin.ParseField(s)
		if err != nil {
			return nil, nil, err
		}
		fields[k] = v
	}
	ts, err := burnin.ParseAll(specs, fields)
	return ts, fields, err
}

// burninFields gives the fields of movie frame i of an export of frames
// (of seq, whose whole range is {range}): the shot's and the machine's,
// then the frame's number and timecode, with --field's values over them.
// view is {view}. {tc} counts from the frame number at the movie's rate
// (drop frame at 29.97 and 59.94), continuing frame by frame through the
// movie as its timecode track does.
func burninFields(seq *engine.Sequence, frames []int, movie export.Options, view, layer string, extra burnin.Fields) func(i int) burnin.Fields {
	base := burnin.System(time.Now())
	base["shot"], base["version"] = burnin.ShotVersion(seq.Dir, seq.Prefix)
	base["range"] = seq.Range.String()
	base["fps"] = burnin.FPS(movie.FPS.Num, movie.FPS.Den)
	base["size"] = fmt.Sprintf("%dx%d", movie.Width, movie.Height)
	base["view"], base["layer"] = view, layer
	rate := timecode.Rate{Num: movie.FPS.Num, Den: movie.FPS.Den}
	start, tcErr := timecode.FromFrame(frames[0], rate, rate.Dropped() > 0)
	return func(i int) burnin.Fields {
		f := make(burnin.Fields, len(base)+len(extra)+2)
		for k, v := range base {
			f[k] = v
		}
		f["frame"] = fmt.Sprint(frames[i])
		if tc, err := start.Add(i, rate); tcErr == nil && err == nil {
			f["tc"] = tc.String()
		}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
}
