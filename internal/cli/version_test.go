package cli

import (
	"runtime/debug"
	"testing"
)

func TestVersionLine(t *testing.T) {
	vcs := func(rev string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}}
	}
	for _, tc := range []struct {
		name            string
		version, commit string
		bi              *debug.BuildInfo
		want            string
	}{
		{
			name:    "release: both set with -ldflags",
			version: "v1.2.3", commit: "abc1234",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("fffffff")},
			want: "aam v1.2.3 (commit abc1234, inventory schema 2)",
		},
		{
			name:    "go install module@version: no VCS information",
			version: "dev",
			bi:      &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}},
			want:    "aam v1.2.3 (inventory schema 2)",
		},
		{
			name:    "go build in a checkout: the recorded revision",
			version: "dev",
			bi:      &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef0123456789abcdef01234567")},
			want:    "aam dev (commit 0123456789abcdef0123456789abcdef01234567, inventory schema 2)",
		},
		{
			name:    "no build information",
			version: "dev",
			want:    "aam dev (inventory schema 2)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, commit := buildVersion(tc.version, tc.commit, tc.bi)
			if got := versionLine(v, commit, 2); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
