package report

import "github.com/aam-dev/aam/posture"

// controlsOf are the run's controls by id.
func controlsOf(run *posture.Run) map[string]*posture.Control {
	out := make(map[string]*posture.Control, len(run.Controls))
	for _, o := range run.Controls {
		out[o.Control.ID] = o.Control
	}
	return out
}
