//go:build unix

package cli_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	_ "modernc.org/sqlite"
)

// fileHash is the SHA-256 of the file at p, or "absent".
func fileHash(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return "absent"
	}
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return string(sum[:])
}

// A scan refused by another scan's lock has not opened the file: the
// database, its WAL and the fingerprint key id in it are byte-identical.
func TestScanRefusedByTheLockChangesNothing(t *testing.T) {
	db, _ := demoDB(t)
	t.Setenv("AAM_FINGERPRINT_KEY_FILE", filepath.Join(t.TempDir(), "another.key"))
	holder, err := inventory.OpenForScan(context.Background(), db, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	before := map[string]string{}
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		before[f] = fileHash(t, f)
	}
	_, stderr, code := run(t, "scan", "--demo", "--db", db)
	if code == 0 || !strings.Contains(stderr, "another aam scan is writing") {
		t.Fatalf("scan beside a held lock: exit %d, stderr %q; want a refusal naming the other scan", code, stderr)
	}
	if strings.Contains(stderr, "another key") || strings.Contains(stderr, "fingerprints were made with") {
		t.Errorf("the refused scan looked at the fingerprint key: %s", stderr)
	}
	for f, h := range before {
		if got := fileHash(t, f); got != h {
			t.Errorf("%s changed under a scan the lock refused", filepath.Base(f))
		}
	}
}

// Two first scans of one new file at once: one writes it, the other is
// refused by the lock with its message, and the file is a sound inventory.
func TestTwoFirstScansOfOneNewFile(t *testing.T) {
	t.Setenv("AAM_FINGERPRINT_KEY_FILE", filepath.Join(t.TempDir(), "fingerprint.key"))
	for round := range 5 {
		db := filepath.Join(t.TempDir(), "aam.db")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		errs := make([]string, 2)
		start := make(chan struct{})
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i], codes[i] = run(t, "scan", "--demo", "--db", db)
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for i := range 2 {
			switch {
			case codes[i] == 0:
				ok++
			case !strings.Contains(errs[i], "another aam scan is writing"):
				t.Errorf("round %d: scan %d exit %d: %s", round, i, codes[i], errs[i])
			}
		}
		if ok == 0 {
			t.Errorf("round %d: neither scan wrote the file", round)
		}
		s, err := inventory.OpenReadOnly(context.Background(), db)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		res, err := s.Query(context.Background(), "SELECT count(*) FROM scans")
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Rows[0][0].(int64); got != int64(ok) {
			t.Errorf("round %d: %d scans recorded, %d scans succeeded", round, got, ok)
		}
	}
}

// A file that is not an aam inventory (an SQLite database of something
// else, or not SQLite at all) is refused by every command and left
// byte-identical, with no lock file left beside it.
func TestForeignFilesUntouched(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AAM_FINGERPRINT_KEY_FILE", filepath.Join(dir, "fingerprint.key"))
	foreign := filepath.Join(dir, "notes.db")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, bytes.Repeat([]byte("not a database\n"), 100), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ path, says string }{
		{foreign, "is an SQLite database but not an aam inventory"},
		{text, "is not an aam database (not an SQLite file at all)"},
	} {
		before := fileHash(t, f.path)
		for _, args := range [][]string{
			{"inventory", "list"},
			{"inventory", "show", "x"},
			{"query", "SELECT 1"},
			{"scan", "--demo"},
		} {
			_, stderr, code := run(t, append(args, "--db", f.path)...)
			if code == 0 || !strings.Contains(stderr, f.says) {
				t.Errorf("%v on %s: exit %d, stderr %q; want %q", args, filepath.Base(f.path), code, stderr, f.says)
			}
			if got := fileHash(t, f.path); got != before {
				t.Fatalf("%v changed %s", args, filepath.Base(f.path))
			}
			for _, side := range []string{"-wal", "-shm", ".lock"} {
				if _, err := os.Stat(f.path + side); err == nil {
					t.Errorf("%v left %s%s beside a file that is not aam's", args, filepath.Base(f.path), side)
				}
			}
		}
	}
}

// The database, its WAL and shared-memory files and the lock are created
// 0600: the inventory maps admin-reachable agents and standing keys.
func TestDatabaseFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	t.Setenv("AAM_FINGERPRINT_KEY_FILE", filepath.Join(dir, "fingerprint.key"))
	db := filepath.Join(dir, "aam.db")
	if _, stderr, code := run(t, "scan", "--demo", "--db", db); code != 0 {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	// A writer holds it open so the WAL and shared memory exist to check.
	s, err := inventory.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Query(context.Background(), "SELECT count(*) FROM nodes"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{db, db + "-wal", db + "-shm", db + ".lock"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want -rw------- (even under umask 0)", filepath.Base(f), fi.Mode().Perm())
		}
	}
}

// A finished scan leaves one file, and a reader that cannot write its
// directory (a CI artefact, a shared read-only path) reads it: the reader
// runs as another user, in a child process.
func TestReaderWithoutAWritableDirectory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("switching user in a child process is tested on linux")
	}
	if os.Geteuid() != 0 {
		t.Skipf("running a reader as another user needs root (euid %d)", os.Geteuid())
	}
	const nobody = 65534
	base, err := os.MkdirTemp("", "aam-reader-*")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	// The test binary, as "aam", where the other user may run it.
	bin := installAAM(t, base)

	t.Setenv("AAM_FINGERPRINT_KEY_FILE", filepath.Join(base, "fingerprint.key"))
	dbDir := filepath.Join(base, "artefact")
	if err := os.Mkdir(dbDir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dbDir, "aam.db")
	if _, stderr, code := run(t, "scan", "--demo", "--db", db); code != 0 {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	// A reader that may write the directory creates nothing beside it either.
	if _, stderr, code := run(t, "inventory", "list", "--db", db); code != 0 {
		t.Fatalf("inventory list: exit %d: %s", code, stderr)
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + side); err == nil {
			t.Errorf("a finished scan and a reader left %s: a finished database is one file", filepath.Base(db+side))
		}
	}
	if err := os.Chown(db, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	os.Remove(db + ".lock")
	asNobody := func(args ...string) (string, string, error) {
		cmd := exec.Command(bin, append(args, "--db", db)...)
		cmd.Dir = base
		cmd.Env = []string{"HOME=" + base, "PATH=/usr/bin:/bin", "XDG_CONFIG_HOME=" + filepath.Join(base, "cfg")}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		return out.String(), errOut.String(), err
	}
	// The other user cannot write the directory: the test means something.
	if _, _, err := asNobody("query", "SELECT 1"); err != nil {
		t.Fatalf("the reader cannot run at all: %v", err)
	}
	probe := exec.Command("/bin/sh", "-c", "touch "+filepath.Join(dbDir, "probe"))
	probe.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	if probe.Run() == nil {
		t.Fatal("the other user can write the directory: the test would prove nothing")
	}
	before := fileHash(t, db)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"inventory", "list", "--kind", "agent"}, "bedrock"},
		{[]string{"inventory", "show", "bedrock-agent-admin"}, "can_access"},
		// The demo's 12 agents: 9 Bedrock agents, 3 AgentCore runtimes.
		{[]string{"query", "SELECT count(*) AS n FROM nodes WHERE kind = 'agent'"}, "12"},
	} {
		out, errOut, err := asNobody(c.args...)
		if err != nil || !strings.Contains(out, c.want) {
			t.Errorf("%v as another user: %v\nstdout: %s\nstderr: %s", c.args, err, out, errOut)
		}
	}
	// Posture on the read-only artefact evaluates, says it kept nothing,
	// and leaves the file as it was.
	out, errOut, err := asNobody("posture", "--at", "2026-11-26T12:00:00Z")
	if err != nil || !strings.Contains(out, "AAM-003") || !strings.Contains(errOut, "findings not stored") {
		t.Errorf("posture as another user: %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	if fileHash(t, db) != before {
		t.Error("reading changed the database file")
	}

	// While a writer holds the database open (a scan running, or one that
	// died) its WAL holds data the file does not: the reader reads through
	// the WAL when it may use the shared-memory file, and otherwise says
	// why it cannot read, never that the file is not aam's.
	w, err := inventory.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	sc, err := w.BeginScan(context.Background(), inventory.ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	scope := inventory.Scope{Provider: "aws", Tenant: "999999999999", Name: inventory.GlobalScope}
	if err := sc.Node(context.Background(), scope, inventory.Node{ID: "only-in-the-wal", Kind: inventory.KindIdentity, Name: "only-in-the-wal"}); err != nil {
		t.Fatal(err)
	}
	if err := sc.CompleteScope(context.Background(), scope); err != nil {
		t.Fatal(err)
	}
	defer sc.Abandon()
	if err := os.Chown(db+"-shm", nobody, nobody); err != nil {
		t.Fatal(err)
	}
	out, errOut, err = asNobody("query", "SELECT id FROM nodes WHERE id = 'only-in-the-wal'")
	if err != nil || !strings.Contains(out, "only-in-the-wal") {
		t.Errorf("reading through the WAL: %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	if err := os.Chown(db+"-shm", 0, 0); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = asNobody("inventory", "list")
	if err == nil || !strings.Contains(errOut, "a scan is writing it or died before it finished") || strings.Contains(errOut, "not an aam") {
		t.Errorf("reading with a WAL and no usable shared memory: %v\nstderr: %s", err, errOut)
	}
}

// installAAM copies the test binary into dir as "aam" (mode 0755): run
// there, it is the aam command (see TestMain).
func installAAM(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "aam")
	copyFile(t, self, bin, 0o755)
	return bin
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// SIGTERM during a scan of many tenants stops it: tenants not started are
// not started, nothing is recorded per tenant, and the interrupt is one
// record naming the signal.
func TestSIGTERMStopsAScanOfManyTenants(t *testing.T) {
	const accounts = 300
	l, err := lab.Start(lab.Generate(lab.GenerateOptions{Accounts: accounts, AgentsPerAccount: 2, Seed: 1}), lab.Options{Latency: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir := t.TempDir()
	awsConfig := filepath.Join(dir, "aws.config")
	if err := os.WriteFile(awsConfig, []byte(l.AWS().AWSConfigFile("")), 0o600); err != nil {
		t.Fatal(err)
	}
	var cfg strings.Builder
	cfg.WriteString("version: 1\naws:\n  regions: [us-east-1]\n  accounts:\n")
	for _, tg := range l.Targets() {
		fmt.Fprintf(&cfg, "    - profile: %s\n", tg.Label)
	}
	if err := os.WriteFile(filepath.Join(dir, "aam.yaml"), []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := installAAM(t, dir)
	db := filepath.Join(dir, "aam.db")
	cmd := exec.Command(bin, "scan", "--config", filepath.Join(dir, "aam.yaml"), "--db", db, "--concurrency", "8")
	cmd.Env = []string{"HOME=" + dir, "AWS_CONFIG_FILE=" + awsConfig, "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"),
		"AWS_EC2_METADATA_DISABLED=true", "AAM_FINGERPRINT_KEY_FILE=" + filepath.Join(dir, "fingerprint.key"), "XDG_CONFIG_HOME=" + dir}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for l.Stats().Total() < 40 {
		select {
		case err := <-exited:
			t.Fatalf("the scan ended before it was signalled: %v\n%s%s", err, out.String(), errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-exited:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("the scan did not stop within 2 minutes of SIGTERM")
	}
	t.Logf("stopped %s after SIGTERM", time.Since(signalled).Round(time.Millisecond))
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 4 {
		t.Errorf("exit: %v, want 4 (interrupted)\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "interrupted (terminated signal received)") {
		t.Errorf("the summary does not name the signal:\n%s", out.String())
	}
	if started := l.Stats().Calls["aws/sts:GetCallerIdentity"]; started >= accounts {
		t.Errorf("%d of %d tenants were started: after SIGTERM none should start", started, accounts)
	}
	s, err := inventory.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Query(context.Background(), "SELECT operation, class, message FROM scan_errors")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0][1] != "interrupted" {
		t.Errorf("scan_errors after SIGTERM: %d rows (first: %v), want the one interruption", len(res.Rows), res.Rows[:min(3, len(res.Rows))])
	}
}
