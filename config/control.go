package config

import (
	"crypto/tls"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

var controlKeys = []string{
	"socket", "http", "token", "token_file", "read_token", "read_token_file",
	"public_url", "link_key", "link_key_file", "link_ttl",
	"tls_cert_file", "tls_key_file", "insecure_remote",
}

// MinSecretBytes is the shortest API token or link key check accepts: 32
// bytes of a random string (`openssl rand -hex 32` gives 64) are beyond
// guessing even with no rate limit at all.
const MinSecretBytes = 32

// DefaultLinkTTL is how long an action link works after its alert went out.
const DefaultLinkTTL = 7 * 24 * time.Hour

// linkTTLRule bounds link_ttl: a link must outlive the alert's reading,
// and a forgotten mail must not act for ever.
var linkTTLRule = durationRule{floor: time.Hour}

const maxLinkTTL = 90 * 24 * time.Hour

func (p *parser) control(e entry, c *Config) {
	f, ok := p.mapping(e.val, "control", controlKeys)
	if !ok {
		return
	}
	if se, ok := f.get("socket"); ok {
		if s, ok := p.text(se); ok && s != "" {
			c.Control.Socket = p.path(s)
			if len(c.Control.Socket) > maxSocketPath {
				p.errorf(se.val, "control.socket: %s is longer than the %d bytes a unix socket path may have", c.Control.Socket, maxSocketPath)
			}
		}
	}
	var hasToken bool
	c.Control.Token, hasToken = p.strongSecret(f, "token", "control.token is the key to every operation of the HTTP API")
	c.Control.ReadToken, _ = p.strongSecret(f, "read_token", "control.read_token opens the calendar feed and status")
	c.Control.LinkKey, _ = p.strongSecret(f, "link_key", "control.link_key signs action links")
	if te, ok := f.get("link_ttl"); ok {
		if d, ok := p.duration(te, linkTTLRule); ok && d > 0 {
			if d > maxLinkTTL {
				p.errorf(te.val, "link_ttl: %s is longer than the %s a link may work", formatDuration(d), formatDuration(maxLinkTTL))
			} else {
				c.Control.LinkTTL = d
			}
		}
	}
	if !hasToken && !c.Control.ReadToken.IsZero() {
		if re, ok := f.get("read_token"); ok {
			p.errorf(re.keyNode, "read_token needs token or token_file: the read-only token is an addition to the full one")
		} else if re, ok := f.get("read_token_file"); ok {
			p.errorf(re.keyNode, "read_token_file needs token or token_file: the read-only token is an addition to the full one")
		}
	}
	p.tls(f, c)
	if ie, ok := f.get("insecure_remote"); ok {
		c.Control.InsecureRemote, _ = p.boolean(ie)
	}
	p.httpAddr(f, c, hasToken)
	if ue, ok := f.get("public_url"); ok {
		if s, ok := p.text(ue); ok && s != "" && p.publicURL(ue, s, c) && c.Control.HTTP == "" {
			p.errorf(ue.val, "public_url needs control.http: action links are served by the HTTP API")
		}
	}
}

// httpAddr reads the HTTP API's listen address and refuses to put the API
// on the network in plain HTTP unless told so.
func (p *parser) httpAddr(f fields, c *Config, hasToken bool) {
	he, ok := f.get("http")
	if !ok {
		return
	}
	addr, ok := p.text(he)
	if !ok || addr == "" {
		return
	}
	host, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		p.errorf(he.val, "control.http: bad listen address %q: use host:port, e.g. 127.0.0.1:8765", addr)
		return
	}
	if !hasToken {
		p.errorf(he.val, "control.http enables the HTTP API, which needs token or token_file")
		return
	}
	if !Loopback(host) && !c.Control.TLS() && !c.Control.InsecureRemote {
		p.errorf(he.val, "control.http: %s is reachable from other machines, and the API would send its token and your rooms in plain HTTP: "+
			"set tls_cert_file and tls_key_file, bind 127.0.0.1 and reach it through a VPN or a TLS reverse proxy, "+
			"or set insecure_remote: true if the network itself is private", addr)
		return
	}
	c.Control.HTTP = addr
}

// Loopback reports whether an HTTP API bound to host answers this machine
// only. An empty host is loopback: the daemon binds 127.0.0.1 then.
func Loopback(host string) bool {
	if host == "" || strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// strongSecret reads the secret key (or key_file) and refuses a value too
// short to be a secret, at the key's own place.
func (p *parser) strongSecret(f fields, key, what string) (Secret, bool) {
	s, written := p.secret(f, key, "control")
	if s.IsZero() || len(s.Value()) >= MinSecretBytes {
		return s, written
	}
	e, ok := f.get(key)
	if !ok {
		e, _ = f.get(key + "_file")
	}
	p.errorf(e.val, "%s: %s, and this one has %d bytes: use at least %d random bytes, e.g. the output of `openssl rand -hex 32`",
		e.key, what, len(s.Value()), MinSecretBytes)
	return Secret{}, written
}

// tls reads the certificate pair and loads it once, so that a wrong or
// unreadable file is an error of check, not a daemon that fails to start.
func (p *parser) tls(f fields, c *Config) {
	ce, hasCert := f.get("tls_cert_file")
	ke, hasKey := f.get("tls_key_file")
	var cert, key string
	if hasCert {
		if s, ok := p.text(ce); ok && s != "" {
			cert = p.path(s)
		}
	}
	if hasKey {
		if s, ok := p.text(ke); ok && s != "" {
			key = p.path(s)
		}
	}
	switch {
	case cert == "" && key == "":
		return
	case cert == "":
		p.errorf(ke.keyNode, "tls_key_file needs tls_cert_file beside it")
		return
	case key == "":
		p.errorf(ce.keyNode, "tls_cert_file needs tls_key_file beside it")
		return
	}
	if _, err := tls.LoadX509KeyPair(cert, key); err != nil {
		p.errorf(ce.val, "tls_cert_file, tls_key_file: %v", err)
		return
	}
	c.Control.TLSCertFile, c.Control.TLSKeyFile = cert, key
}

// publicURL reads the address the phone reaches the API at.
func (p *parser) publicURL(e entry, s string, c *Config) bool {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		p.errorf(e.val, "%s: %q is not an address like https://pi.tailnet.ts.net:8765 (http or https, a host, no credentials, query or fragment)", e.key, s)
		return false
	}
	c.Control.PublicURL = strings.TrimSuffix(s, "/")
	return true
}

// publicURLFromActionsURL keeps configurations written for ntfy's old
// actions_url working: it is now an alias of control.public_url, used
// when public_url is not set (ntfy buttons carry signed links, no token).
func (p *parser) publicURLFromActionsURL(c *Config) {
	if c.Control.PublicURL != "" || c.Control.HTTP == "" {
		return
	}
	for _, n := range c.Notifiers {
		if n.Ntfy != nil && n.Ntfy.ActionsURL != "" {
			c.Control.PublicURL = n.Ntfy.ActionsURL
			return
		}
	}
}
