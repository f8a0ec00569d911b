package main

import (
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
