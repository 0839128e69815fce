#!/usr/bin/python3
# station.py: drives a headless chromium (through a chromedriver that
# t_station.sh started) for the SysMan Station's browser tests.
#
#	station.py DRIVER_URL CMD_FIFO REPLY_FIFO
#	station.py hold URL SECONDS	(keep a station open, e.g. to measure
#					smsd's cost with one open)
#
# Reads one request per line from CMD_FIFO, a JSON array ["op", arg...],
# and answers each with one JSON object per line on REPLY_FIFO:
# {"ok": true|false, "why": "...", ...}.  The checks compare what the page
# shows with /v1 JSON files that the test fetched itself with curl.
import json
import os
from decimal import ROUND_HALF_UP, Decimal
import re
import subprocess
import sys
import time
import traceback

from selenium import webdriver
from selenium.webdriver.chromium.remote_connection import ChromiumRemoteConnection
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
WIDE = (1280, 900)


class Fail(Exception):
    pass


def clean(v):
    """What the page shows for a string (api.js clean())."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: "\\x%02x" % ord(m.group(0)), str(v))


def num(v, d=2):
    """api.js num(): JavaScript's toFixed(d), which rounds the exact binary
    value and a tie away from zero (Python's % rounds a tie to even)."""
    if not isinstance(v, (int, float)):
        return "—"
    return str(Decimal(v).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP))


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# how bad a word of /v1/cluster is (an unknown word: a warning)
RANK = {"up": 0, "member": 0, "good": 0, "warning": 1, "left": 1, "inactive": 1,
        "critical": 2, "unreachable": 2, "down": 2}


class Station:
    def __init__(self, url):
        self.url = url
        self.d = None
        self.streams = {}       # requestId: the event stream requests seen
        self.last_ids = {}      # requestId: its Last-Event-ID header

    def until(self, what, fn, timeout=10.0, every=0.05):
        """Poll fn() until it returns something true; its value, or Fail."""
        end = time.monotonic() + timeout
        last = None
        while True:
            try:
                v = fn()
                if v:
                    return v
                last = v
            except Fail as e:
                last = str(e)
            if time.monotonic() > end:
                raise Fail("%s: not within %.1f s (last: %s)" % (what, timeout, last))
            time.sleep(every)

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def view(self, hash_, ready_js, what, timeout=10.0):
        self.js("location.hash = arguments[0]", hash_)
        return self.until(what, lambda: self.js(ready_js), timeout)

    # --- operations -----------------------------------------------------
    def op_start(self, user_data_dir, binary="/usr/bin/chromium"):
        o = webdriver.ChromeOptions()
        for f in FLAGS:
            o.add_argument(f)
        o.add_argument("--user-data-dir=" + user_data_dir)
        o.add_argument("--window-size=%d,%d" % WIDE)
        o.binary_location = binary
        # performance: chromium's network events, to see what kind of
        # request the page makes for the event stream and its headers
        o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        conn = ChromiumRemoteConnection(remote_server_addr=self.url, vendor_prefix="goog",
                                        browser_name="chrome")
        self.d = webdriver.Remote(command_executor=conn, options=o)
        self.d.set_script_timeout(20)
        return {"browser": self.d.capabilities.get("browserVersion")}

    def cdp(self, cmd, **params):
        return self.d.execute("executeCdpCommand", {"cmd": cmd, "params": params})["value"]

    def op_open(self, url, cache="cache"):
        """Load the station; "nocache": the browser's cache off (a first visit)."""
        self.cdp("Network.enable")
        self.cdp("Network.setCacheDisabled", cacheDisabled=(cache == "nocache"))
        self.d.get("about:blank")
        self.d.get(url)
        self.until("first data on screen", lambda: self.js(
            "return document.body.dataset.firstData"))
        t = self.js("const m = performance.getEntriesByName('station-first-data');"
                    "return m.length ? m[0].startTime : null")
        nav = self.js("const n = performance.getEntriesByType('navigation')[0];"
                      "return n ? n.responseEnd : null")
        res = self.js("return performance.getEntriesByType('resource').map(r =>"
                      " [r.name.replace(/^[a-z]+:[/][/][^/]+/, ''), Math.round(r.startTime), Math.round(r.responseEnd)])")
        return {"first_data_ms": t, "html_loaded_ms": nav, "resources": res}

    def cards(self):
        return self.js("""
            return [...document.querySelectorAll('article.card')].map(a => ({
              member: a.dataset.member, state: a.dataset.state,
              name: a.querySelector('h2').textContent, emphasis: a.dataset.emphasis,
              status: Object.fromEntries([...a.querySelectorAll('.card-status .pair')].map(
                p => [p.dataset.kind, [p.querySelector('.lbl').textContent,
                      p.querySelector('.badge').textContent, !!p.querySelector('.badge svg')]])),
              facts: Object.fromEntries([...a.querySelectorAll('dt')].map(
                dt => [dt.textContent, dt.nextElementSibling.textContent]))}))""")

    def op_cluster(self, path):
        c = load(path)
        want = c["members"]
        self.js("location.hash = '#cluster'")

        def same():
            got = {x["member"]: x for x in self.cards()}
            if len(got) != len(want):
                raise Fail("%d cards for %d members" % (len(got), len(want)))
            for m in want:
                g = got.get(m["name"])
                if g is None:
                    raise Fail("no card for %r" % m["name"])
                if g["state"] != m["state"] or g["name"] != clean(m["name"]):
                    raise Fail("%r: card says %r/%r" % (m["name"], g["name"], g["state"]))
                f = g["facts"]
                if m["state"] == "up":
                    s = m["system"]
                    exp = {"host": clean(s["hostname"]),
                           "system": clean(s["os"]["pretty_name"]),
                           "kernel": clean(s["kernel"]["release"]),
                           "CPUs": str(s["cpus"])}
                else:
                    exp = {"error": clean(m.get("error") or "no answer")}
                # the newer of the membership's and the state's last change
                t = [x for x in (m.get("membership_changed_ms"), m.get("state_changed_ms"))
                     if isinstance(x, int)]
                exp["last change"] = time.strftime("%Y-%m-%d %H:%M:%S",
                                                   time.localtime(max(t) // 1000)) if t else "\u2014"
                for k, v in exp.items():
                    if f.get(k) != v:
                        raise Fail("%r %s: shown %r, JSON %r" % (m["name"], k, f.get(k), v))
                # state, membership and health each a word with its icon
                # and its label; the card's emphasis is the worst of them
                st = {"state": m["state"], "health": m.get("health") or "unknown"}
                if "membership" in m:
                    st["membership"] = m["membership"]
                want_st = {k: [k, clean(v), True] for k, v in st.items()}
                if g["status"] != want_st:
                    raise Fail("%r status: shown %r, JSON %r" % (m["name"], g["status"], want_st))
                worst = max(RANK.get(v, 1) for v in st.values())
                if g["emphasis"] != ("good", "warn", "bad")[worst]:
                    raise Fail("%r: emphasis %r for %r" % (m["name"], g["emphasis"], st))
            summary = self.js("return document.querySelector('.summary').textContent")
            if not summary.startswith("%d of %d members up" % (c["members_up"], c["members_total"])):
                raise Fail("summary %r" % summary)
            return True
        self.until("cluster cards show /v1/cluster", same, 6)
        return {}

    def op_card(self, member):
        """One member's card as shown: its status words and emphasis."""
        self.js("location.hash = '#cluster'")
        c = self.until("card of %s" % member, lambda: [x for x in self.cards() if x["member"] == member], 5)[0]
        return {"status": {k: v[1] for k, v in c["status"].items()}, "emphasis": c["emphasis"]}

    def op_wait_state(self, member, state, timeout):
        t0 = time.monotonic()
        self.js("location.hash = '#cluster'")
        self.until("%s shown %s" % (member, state), lambda: any(
            x["member"] == member and x["state"] == state for x in self.cards()), float(timeout))
        return {"seconds": round(time.monotonic() - t0, 2)}

    def op_member(self, name, sysf, fsf, hwf, swf, evf):
        sysj, fsj, hwj, swj, evj = map(load, (sysf, fsf, hwf, swf, evf))
        self.view("#member/" + name, "return document.body.dataset.view === 'member' &&"
                  " document.querySelector('.tree') && document.querySelector('table.fs') &&"
                  " document.querySelector('table.sw tbody tr')", "member view of " + name)

        def facts():
            f = self.js("""const dl = document.querySelector('section.panel .facts');
                return Object.fromEntries([...dl.querySelectorAll('dt')].map(
                    dt => [dt.textContent, dt.nextElementSibling.textContent]))""")
            exp = {"host": clean(sysj["hostname"]), "member": clean(sysj["member"]),
                   "CPUs": str(sysj["cpus"]),
                   "kernel": "%s %s %s" % (clean(sysj["kernel"]["sysname"]),
                                           clean(sysj["kernel"]["release"]),
                                           clean(sysj["kernel"]["machine"]))}
            for k, v in exp.items():
                if f.get(k) != v:
                    raise Fail("system %s: shown %r, JSON %r" % (k, f.get(k), v))
            return True
        self.until("system facts", facts, 3)
        rows = self.js("""return [...document.querySelectorAll('table.fs tbody tr')].map(
            tr => [...tr.cells].slice(0, 3).map(td => td.textContent))""")
        exp = [[clean(f["mountpoint"]), clean(f["device"]),
                clean(f["type"]) + (" (ro)" if f["readonly"] else "")] for f in fsj["filesystems"]]
        if rows != exp:
            raise Fail("file systems shown %r, JSON %r" % (rows, exp))
        hw = sorted(self.js("return [...document.querySelectorAll('.tree .hw-name')].map(e => e.textContent)"))
        exp = sorted(clean(n["name"]) for n in hwj["nodes"])
        if hw != exp:
            raise Fail("hardware shown %r, JSON %r" % (hw, exp))
        sw = self.js("return [...document.querySelectorAll('table.sw tbody tr')].map(tr => tr.cells[0].textContent)")
        exp = [clean(p["name"]) for p in swj["packages"]][:50]
        if sw != exp:
            raise Fail("first package page shown %r..., JSON %r..." % (sw[:5], exp[:5]))
        total = swj.get("total", swj.get("count"))
        status = self.js("return document.getElementById('sw-status').textContent")
        if not status.startswith("%d packages;" % total):
            raise Fail("package count %r, JSON total %r" % (status, total))
        # The member's newest events, newest first; the page may have
        # fetched newer ones since (kernel events keep coming): those may
        # stand on top, the rest must be exactly the JSON's.
        want = [[e["seq"], clean(e["name"]), clean(e["message"])] for e in evj["events"]][::-1]

        def events():
            got = self.js("""return [...document.querySelectorAll('table.events tbody tr')].map(
                tr => [Number(tr.dataset.seq), tr.cells[3].textContent, tr.cells[5].textContent])""")
            top = want[0][0] if want else -1
            rest = [g for g in got if g[0] <= top]
            n = len(rest)
            if n < min(10, len(want)) or rest != want[:n]:
                raise Fail("recent events %r, JSON %r" % (got[:3], want[:3]))
            return True
        self.until("recent events are /v1/events's", events, 7)
        return {"packages": total, "filesystems": len(fsj["filesystems"]), "hardware": len(hw)}

    def op_search(self, text, swf):
        swj = load(swf)
        self.js("const i = document.getElementById('sw-search'); i.value = arguments[0];"
                "i.dispatchEvent(new Event('input'))", text)
        total = swj.get("total", swj.get("count"))
        exp = [clean(p["name"]) for p in swj["packages"]][:50]

        def same():
            sw = self.js("return [...document.querySelectorAll('table.sw tbody tr')].map(tr => tr.cells[0].textContent)")
            st = self.js("return document.getElementById('sw-status').textContent")
            return sw == exp and st.startswith("%d packages;" % total)
        self.until("search %r shows %d packages" % (text, total), same, 5)
        return {"total": total}

    def op_filter(self, pattern, priority, evf):
        """Set the events view's filters; the rows must be /v1/events's
        answer to the same filters (the newest 100), newest first."""
        want = [e["seq"] for e in load(evf)["events"]][::-1] if evf else None
        self.js("""const n = document.getElementById('ev-name'), p = document.getElementById('ev-prio');
            n.value = arguments[0]; p.value = arguments[1];
            n.dispatchEvent(new Event('input')); p.dispatchEvent(new Event('change'))""", pattern, priority)
        if want is None:
            return {}
        self.until("filtered rows are /v1/events's", lambda: [x["seq"] for x in self.rows()] == want, 5)
        return {"rows": len(want)}

    def op_page(self, swf):
        """The package list's next page: /v1/software's answer for it."""
        swj = load(swf)
        self.d.find_element(By.XPATH, "//button[normalize-space()='next ›']").click()
        exp = [clean(p["name"]) for p in swj["packages"]]
        self.until("second package page", lambda: self.js(
            "return [...document.querySelectorAll('table.sw tbody tr')].map(tr => tr.cells[0].textContent)") == exp
            and self.js("return document.getElementById('sw-status').textContent").startswith(
                "%d packages; %d–%d shown" % (swj["total"], swj["offset"] + 1, swj["offset"] + len(exp))), 5)
        return {}

    def op_stream_requests(self):
        """The page's requests for /v1/events/stream, as chromium's network
        log saw them: the request's type (an EventSource's is "EventSource")
        and the Last-Event-ID header it carried (in the request or in the
        headers the network stack sent, which may be logged first)."""
        for entry in self.d.get_log("performance"):
            m = json.loads(entry["message"])["message"]
            p = m.get("params", {})
            if m.get("method") == "Network.requestWillBeSent":
                url = p.get("request", {}).get("url", "")
                if "/v1/events/stream" not in url:
                    continue
                r = self.streams.setdefault(p["requestId"], {})
                r.update(n=len(self.streams), type=p.get("type"),
                         path=re.sub(r"^[a-z]+://[^/]+", "", url))
                hdr = p["request"].get("headers", {})
            elif m.get("method") == "Network.requestWillBeSentExtraInfo":
                hdr = p.get("headers", {})
            else:
                continue
            for k, v in hdr.items():
                if k.lower() == "last-event-id":
                    self.last_ids[p["requestId"]] = int(v)
        out = []
        for rid, r in sorted(self.streams.items(), key=lambda x: x[1]["n"]):
            out.append(dict(r, last_event_id=self.last_ids.get(rid)))
        return {"requests": out}

    def rows(self):
        return self.js("""return [...document.querySelectorAll('#ev-rows tr')].map(tr => ({
            seq: Number(tr.dataset.seq), name: tr.cells[3].textContent, msg: tr.cells[5].textContent}))""")

    def op_events(self):
        self.view("#events", "const s = document.getElementById('ev-state');"
                  "return s && s.textContent === 'live'", "events view live")
        return {"rows": len(self.rows())}

    def op_post_wait(self, smsctl, sock, name, prio, msg, timeout="1"):
        """Post an event on the member and time it until its row shows."""
        t0 = time.monotonic()
        subprocess.run([smsctl, "post", "-s", sock, name, prio, msg], check=True, timeout=10)
        r = self.until("event %s shown" % name, lambda: [x for x in self.rows() if x["name"] == name],
                       float(timeout) + 4, 0.01)
        ms = round((time.monotonic() - t0) * 1000)
        if ms > float(timeout) * 1000:
            raise Fail("event %s shown after %d ms (limit %s s)" % (name, ms, timeout))
        return {"ms": ms, "shown": r[0]["msg"], "count": len(r), "seq": r[0]["seq"]}

    def op_rows_named(self, name):
        r = [x for x in self.rows() if x["name"] == name]
        return {"count": len(r), "shown": [x["msg"] for x in r], "seqs": [x["seq"] for x in r]}

    def op_all_rows(self):
        r = self.rows()
        seqs = [x["seq"] for x in r]
        return {"count": len(r), "unique": len(set(seqs)), "ordered": seqs == sorted(seqs, reverse=True),
                "newest": max(seqs) if seqs else 0}

    def op_click(self, element_id):
        self.d.find_element(By.ID, element_id).click()
        return {}

    def op_expect_text(self, element_id, pattern, timeout="5"):
        """Wait until the element's text matches the regular expression."""
        self.until("#%s matches %r" % (element_id, pattern), lambda: re.search(pattern, self.js(
            "const e = document.getElementById(arguments[0]); return e ? e.textContent : ''",
            element_id)), float(timeout))
        return {}

    def op_expect_attr(self, element_id, attr, value, timeout="5"):
        self.until("#%s %s=%s" % (element_id, attr, value), lambda: self.js(
            "const e = document.getElementById(arguments[0]); return e && e.getAttribute(arguments[1])",
            element_id, attr) == value, float(timeout))
        return {}

    def op_connected(self, timeout):
        t0 = time.monotonic()
        self.until("page reconnected", lambda: self.js(
            "return document.getElementById('link').textContent === 'connected' &&"
            " document.getElementById('ev-state').textContent === 'live'"), float(timeout))
        return {"seconds": round(time.monotonic() - t0, 2)}

    def op_hostile(self, host_member, hostname):
        """No script ran; the hostile strings are on the page as text."""
        pwned = self.js("return window.__hm_pwned === undefined ? null : String(window.__hm_pwned)")
        if pwned is not None:
            raise Fail("an injected handler ran: window.__hm_pwned = %s" % pwned)
        imgs = self.js("return [...document.images].filter(i => !i.closest('.brand')).length")
        if imgs:
            raise Fail("%d <img> elements came from data" % imgs)
        self.js("location.hash = '#cluster'")
        self.until("hostile host name shown as text", lambda: any(
            x["member"] == host_member and x["facts"].get("host") == clean(hostname)
            for x in self.cards()), 6)
        pwned = self.js("return window.__hm_pwned === undefined ? null : String(window.__hm_pwned)")
        if pwned is not None:
            raise Fail("an injected handler ran: window.__hm_pwned = %s" % pwned)
        return {"shown": clean(hostname)}

    def op_metrics(self, name):
        self.view("#metrics/" + name, "return document.querySelectorAll('figure[data-chart]').length === 5",
                  "five charts for " + name, 15)
        return {"snap": self.js("""
            const g = document.querySelector('.charts');
            const legend = (t) => [...document.querySelector(`figure[data-chart="${t}"] .legend`).children]
                .map(k => k.textContent);
            return {info: document.querySelector('main p').textContent,
                    last: Number(g.dataset.lastTime), points: Number(g.dataset.samples),
                    load: legend('Load (1 min)'), cpu: legend('CPU busy'),
                    lines: document.querySelectorAll('.charts polyline, .charts circle').length}""")}

    def op_metrics_check(self, snapf, histf):
        snap, hist = load(snapf)["snap"], load(histf)
        smp = [x for x in hist["samples"] if x["time_ms"] == snap["last"]]
        if not smp:
            raise Fail("the shown last sample (%r) is not in /v1/history" % snap["last"])
        s = smp[0]
        exp_load = ["load1 " + num(s["load1"])]
        exp_cpu = ["busy " + num(s["cpu_busy_ratio"] * 100, 0) + " %"]
        if snap["load"] != exp_load or snap["cpu"] != exp_cpu:
            raise Fail("legend %r %r, JSON %r %r" % (snap["load"], snap["cpu"], exp_load, exp_cpu))
        if "of %s samples, every %s s" % (hist["capacity"], hist["step_seconds"]) not in snap["info"]:
            raise Fail("info %r, JSON capacity %r step %r" % (snap["info"], hist["capacity"], hist["step_seconds"]))
        if snap["lines"] < 5:
            raise Fail("only %d lines drawn" % snap["lines"])
        return {"samples": snap["points"]}

    def op_suite(self, name, prefix, ssf, avf, stf):
        self.view("#suite/" + name, "return document.body.dataset.view === 'suite' &&"
                  " !document.querySelector('main').textContent.includes('loading…')", "suite view")
        for res, f in (("suite/ss", ssf), ("suite/availability", avf), ("suite/statd", stf)):
            path = prefix + "/" + res
            j = load(f)
            text = self.js("return document.querySelector(`section[data-part=\"${arguments[0]}\"]`).textContent", path)
            if not j.get("available"):
                if "Not available: " + clean(j.get("reason")) not in text:
                    raise Fail("%s: JSON says not available (%r), the view: %r" % (path, j.get("reason"), text))
                continue
            if res == "suite/ss":
                rows = self.js("return [...document.querySelectorAll('table.ss tbody tr')].map("
                               "tr => [tr.cells[0].textContent, tr.cells[1].textContent])")
                exp = [[clean(x["name"]), clean(x["state"])] for x in j["hosts"]]
                if rows != exp:
                    raise Fail("ss rows %r, JSON %r" % (rows, exp))
            elif res == "suite/statd":
                if ("NSM state%s" % clean(j.get("state"))) not in text:
                    raise Fail("statd state %r not in %r" % (j.get("state"), text))
                for m in j.get("monitored", []):
                    if clean(m.get("mon_name")) not in text:
                        raise Fail("monitored %r not shown" % m.get("mon_name"))
                for m in j.get("pending", []):
                    if clean(m.get("host")) not in text:
                        raise Fail("pending %r not shown" % m.get("host"))
            else:
                summary = j.get("summary") or {}
                if "node%s" % clean(summary.get("node")) not in text or \
                        "events%s" % summary.get("event_count") not in text:
                    raise Fail("availability node/event count not shown: %r" % text[:300])
                rows = self.js("return [...document.querySelectorAll('table.avail tbody tr')].map("
                               "tr => [tr.cells[1].textContent, tr.cells[2].textContent, tr.cells[4].textContent])")
                exp = [[clean(o["name"]), clean(o["state"]).lower() if o.get("state") else "—",
                         str(o["downs"])] for o in summary.get("objects") or []]
                if rows != exp:
                    raise Fail("availability rows %r, JSON %r" % (rows, exp))
        return {}

    def op_shots(self, outdir, width, views):
        """Screenshots of every view at WIDTH; the page may not be wider."""
        os.makedirs(outdir, exist_ok=True)
        w = int(width)
        self.d.set_window_size(w, 900)
        wide = []
        for v in views.split(","):
            self.js("location.hash = arguments[0]", "#" + v)
            name = v.split("/")[0]
            self.until("view " + v, lambda: self.js("return document.body.dataset.view") == name)
            time.sleep(1.5)     # let the view's first answers arrive (a picture, not a check)
            self.js("document.activeElement && document.activeElement.blur()")
            base = os.path.join(outdir, "%s-%d" % (v.replace("/", "-"), w))
            self.d.save_screenshot(base + "-top.png")     # what a window shows first
            h = min(4000, int(self.js("return document.documentElement.scrollHeight")))
            self.d.set_window_size(w, max(600, h))
            time.sleep(0.3)
            over = self.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if over > 0:
                wide.append("%s: %d px too wide" % (v, over))
            self.d.save_screenshot(base + ".png")
            self.d.set_window_size(w, 900)
        self.d.set_window_size(*WIDE)
        if wide:
            raise Fail("; ".join(wide))
        return {}

    def op_keyboard(self):
        """Focus the Cluster tab, press the right arrow: the Member tab is
        selected and focused, and its view shown."""
        self.js("location.hash = '#cluster'")
        self.until("cluster view", lambda: self.js("return document.body.dataset.view") == "cluster")
        tab = self.d.find_element(By.ID, "tab-cluster")
        tab.send_keys(Keys.ARROW_RIGHT)
        self.until("Member tab selected by the arrow key", lambda: self.js(
            "const t = document.getElementById('tab-member');"
            "return t.getAttribute('aria-selected') === 'true' && document.activeElement === t &&"
            " document.body.dataset.view === 'member'"), 5)
        self.d.switch_to.active_element.send_keys(Keys.ARROW_LEFT)
        self.until("Cluster tab back", lambda: self.js("return document.body.dataset.view") == "cluster", 5)
        return {}

    def op_logs(self):
        return {"logs": [{"level": x["level"], "message": x["message"]} for x in self.d.get_log("browser")]}

    def op_quit(self):
        if self.d is not None:
            self.d.quit()
            self.d = None
        return {}


def hold(url, seconds):
    """station.py hold URL SECONDS: keep a station open (for measuring
    smsd's cost with one open); chromedriver and chromium end with it."""
    import tempfile
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions()
    for f in FLAGS:
        o.add_argument(f)
    o.add_argument("--user-data-dir=" + tempfile.mkdtemp(prefix="station."))
    o.binary_location = "/usr/bin/chromium"
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    try:
        d.get(url)
        time.sleep(float(seconds))
    finally:
        d.quit()


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "hold":
        hold(sys.argv[2], sys.argv[3])
        return
    url, cmd_path, reply_path = sys.argv[1:4]
    st = Station(url)
    with open(cmd_path, encoding="utf-8") as cmd, open(reply_path, "w", encoding="utf-8") as reply:
        for line in cmd:
            try:
                req = json.loads(line)
                fn = getattr(st, "op_" + req[0])
                ans = {"ok": True}
                ans.update(fn(*req[1:]) or {})
            except Fail as e:
                ans = {"ok": False, "why": str(e)}
            except Exception as e:
                ans = {"ok": False, "why": "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""),
                       "trace": traceback.format_exc()}
            reply.write(json.dumps(ans) + "\n")
            reply.flush()
            if req and req[0] == "quit":
                break


if __name__ == "__main__":
    main()
