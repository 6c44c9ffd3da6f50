package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildRoomwatch compiles the daemon the way a user would run it.
func buildRoomwatch(dir string) (string, error) {
	return build(dir, "roomwatch", "./cmd/roomwatch")
}

// buildBaseline compiles the baseline: the daemon with one gocron job per
// live alert, which is no part of the product binary.
func buildBaseline(dir string) (string, error) {
	return build(dir, "baseline", "./cmd/roomwatch-bench/baseline")
}

func build(dir, name, pkg string) (string, error) {
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building %s (run the benchmark from the repository root): %w", name, err)
	}
	return bin, nil
}

// daemonProc is one `roomwatch run`, started with a NOTIFY_SOCKET the way
// systemd starts it, so READY is the daemon's own word.
type daemonProc struct {
	cmd     *exec.Cmd
	notify  *net.UnixConn
	exited  chan error
	started time.Time
	ready   time.Time
}

func startDaemon(bin, cfg, dir, logName string, args ...string) (*daemonProc, error) {
	sock := filepath.Join(dir, "notify-"+logName)
	_ = os.Remove(sock)
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, logName+".log"))
	if err != nil {
		conn.Close()
		return nil, err
	}
	p := &daemonProc{notify: conn, exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, append([]string{"--config", cfg, "run"}, args...)...)
	p.cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock, "ROOMWATCH_LOG_LEVEL=info")
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		conn.Close()
		logFile.Close()
		return nil, err
	}
	go func() {
		p.exited <- p.cmd.Wait()
		logFile.Close()
	}()
	if err := p.waitReady(20 * time.Minute); err != nil {
		p.kill()
		return nil, fmt.Errorf("%w (see %s)", err, logFile.Name())
	}
	return p, nil
}

func (p *daemonProc) waitReady(timeout time.Duration) error {
	buf := make([]byte, 4096)
	deadline := time.Now().Add(timeout)
	for {
		_ = p.notify.SetReadDeadline(deadline)
		n, err := p.notify.Read(buf)
		if err != nil {
			select {
			case exit := <-p.exited:
				return fmt.Errorf("the daemon exited before READY: %v", exit)
			default:
			}
			return fmt.Errorf("no READY=1 within %s: %w", timeout, err)
		}
		if bytes.Contains(buf[:n], []byte("READY=1")) {
			p.ready = time.Now()
			return nil
		}
	}
}

func (p *daemonProc) pid() int { return p.cmd.Process.Pid }

// stop sends SIGTERM, as systemd does, and waits for the exit.
func (p *daemonProc) stop() error {
	defer p.notify.Close()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-p.exited:
		return err
	case <-time.After(time.Minute):
		p.kill()
		return errors.New("the daemon did not stop within a minute of SIGTERM")
	}
}

func (p *daemonProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
	p.notify.Close()
}

// memory is what /proc says of the process's memory, in bytes. RSS counts
// the pages of the mapped store file the process touched (RssFile) as well
// as its own (RssAnon).
type memory struct {
	rss, hwm, anon, file uint64
}

func readMemory(pid int) (memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	defer f.Close()
	var m memory
	fields := map[string]*uint64{"VmRSS:": &m.rss, "VmHWM:": &m.hwm, "RssAnon:": &m.anon, "RssFile:": &m.file}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Fields(sc.Text())
		if len(parts) >= 2 {
			if dst, ok := fields[parts[0]]; ok {
				kb, _ := strconv.ParseUint(parts[1], 10, 64)
				*dst = kb << 10
			}
		}
	}
	return m, sc.Err()
}

// clockTicks is the unit of /proc/PID/stat's CPU times (USER_HZ); Linux
// has kept it at 100 on every architecture since 2.6, for user space.
const clockTicks = 100

// cpuTime is the CPU the process has used, user and system.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after it start
	// past its closing parenthesis.
	rest := string(b[bytes.LastIndexByte(b, ')')+2:])
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// machine describes where the figures come from.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	memTotal := "unknown memory"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if kb, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(kb), " kB"), 10, 64)
				memTotal = fmt.Sprintf("%.1f GiB RAM", float64(n)/(1<<20))
			}
		}
	}
	kernel := "linux"
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = "Linux " + strings.TrimSpace(string(b))
	}
	nproc := "?"
	if out, err := exec.Command("nproc").Output(); err == nil {
		nproc = strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("%s cores (nproc), %s, %s, %s", nproc, model, memTotal, kernel)
}
