'use strict';
// Live feed client shared by the public page and the staff console (bundled in front of each).
// It follows an office over the WebSocket feed; whenever the socket is down or refused (a proxy
// that blocks WebSockets) it polls the status JSON instead, and keeps retrying the socket with
// back-off. "Stale" means the server's data has not advanced for a minute: the server republishes
// at least every 30 s, so a snapshot whose generated_at stops moving is old, whatever the clocks.
const Live = (() => {
  const STALE_MS = 60000;
  const MAX_RETRY_MS = 60000;

  // `target` with a change frame's patch applied (docs/protocol.md, `change`): objects list
  // the keys that changed (null: gone); a list is either replaced, edited around a kept run of
  // its items ({keep: [i, j], before, after}), or patched item by item ({"0": …}). Untouched
  // parts are shared with `target`, which is never modified.
  function patched(target, patch) {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
    if (Array.isArray(target)) {
      if (patch.keep) {
        return (patch.before || []).concat(target.slice(patch.keep[0], patch.keep[1]), patch.after || []);
      }
      const items = target.slice();
      for (const [at, edit] of Object.entries(patch)) items[Number(at)] = patched(items[Number(at)], edit);
      return items;
    }
    const fields = (target && typeof target === 'object') ? Object.assign({}, target) : {};
    for (const [key, edit] of Object.entries(patch)) {
      if (edit === null) delete fields[key];
      else fields[key] = patched(fields[key], edit);
    }
    return fields;
  }

  function follow(office, { pollSeconds, onSnapshot, onCall, onLink }) {
    const path = '/api/v1/offices/' + encodeURIComponent(office);
    const wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path + '/live';
    let socket = null;
    let open = false;
    let stopped = false;
    let pollTimer = null;
    let retryTimer = null;
    let attempts = 0;
    let etag = null;
    let generated = '';
    let advanced = Date.now();
    let mode = 'connecting';

    const stale = () => Date.now() - advanced > STALE_MS;
    const report = () => { if (!stopped) onLink(mode, stale()); };
    const setMode = (next) => { mode = next; report(); };

    // The last snapshot, which a `change` frame patches into the next one.
    let last = null;

    function accept(message) {
      if (!message || message.v !== 1) return;
      if (message.type === 'change') {
        // A change from another state than ours (never on one socket) waits for the next
        // whole snapshot, at most 30 s away.
        if (!last || message.base !== last.seq) return;
        message = Object.assign(patched(last, message.patch), {
          type: 'snapshot', seq: message.seq, generated_at: message.generated_at,
        });
      }
      if (message.type === 'snapshot') {
        last = message;
        if (message.generated_at !== generated) {
          generated = message.generated_at;
          advanced = Date.now();
        }
        onSnapshot(message);
      } else if (message.type === 'call' && onCall) {
        onCall(message);
      }
      report();
    }

    async function poll() {
      try {
        const headers = etag ? { 'If-None-Match': etag } : {};
        const response = await fetch(path + '/status', { headers, cache: 'no-store' });
        if (stopped || open) return;
        if (response.status === 304) {
          setMode('poll');
        } else if (response.ok) {
          etag = response.headers.get('ETag');
          accept(await response.json());
          setMode('poll');
        } else {
          setMode('down');
        }
      } catch (error) {
        if (!open) setMode('down');
      }
    }

    function startPolling() {
      if (pollTimer !== null) return;
      poll();
      pollTimer = setInterval(poll, Math.max(1, pollSeconds) * 1000);
    }

    function stopPolling() {
      if (pollTimer !== null) clearInterval(pollTimer);
      pollTimer = null;
    }

    function connect() {
      retryTimer = null;
      if (stopped || socket) return;
      let ws;
      try {
        ws = new WebSocket(wsUrl);
      } catch (error) {
        lost();
        return;
      }
      socket = ws;
      ws.onopen = () => {
        open = true;
        attempts = 0;
        stopPolling();
        setMode('live');
      };
      ws.onmessage = (event) => {
        try { accept(JSON.parse(event.data)); } catch (error) { /* not ours */ }
      };
      ws.onclose = () => {
        if (socket !== ws) return;
        socket = null;
        open = false;
        lost();
      };
    }

    // The socket is closed or was refused: poll meanwhile, retry with back-off and jitter.
    function lost() {
      if (stopped) return;
      if (mode === 'live') setMode('connecting');
      startPolling();
      attempts += 1;
      const delay = Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.min(attempts, 6));
      retryTimer = setTimeout(connect, delay * (0.75 + Math.random() / 2));
    }

    // A phone waking up should not wait for the next retry.
    function onVisible() {
      if (document.visibilityState === 'visible' && !socket && !stopped) {
        if (retryTimer !== null) clearTimeout(retryTimer);
        connect();
      }
    }

    document.addEventListener('visibilitychange', onVisible);
    const staleTimer = setInterval(report, 5000);
    connect();

    return {
      stop() {
        stopped = true;
        stopPolling();
        clearInterval(staleTimer);
        if (retryTimer !== null) clearTimeout(retryTimer);
        document.removeEventListener('visibilitychange', onVisible);
        if (socket) socket.close(1000);
        socket = null;
      },
    };
  }

  // A small element builder: text goes through textContent, never parsed as HTML.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (key.startsWith('data-') || key.startsWith('aria-') || key === 'scope' || key === 'type') {
        node.setAttribute(key, value);
      } else {
        node[key] = value;
      }
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // `10:00:05` from an RFC 3339 instant in Japan time, as the server sends every timestamp.
  const clock = (instant, seconds) => String(instant || '').slice(11, seconds ? 19 : 16);

  // `09:00` → `9:00`: times as the city writes them (the server's queue_protocol::text does
  // the same for what it renders).
  const time = (hhmm) => String(hhmm || '').replace(/^0(?=\d:)/, '');

  const WEEKDAYS_JA = '日月火水木金土';
  const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  // 「12月1日（火）」 or "Tue 1 Dec" from `YYYY-MM-DD`, the server's date format.
  function date(text, en) {
    const [y, mo, d] = String(text).split('-').map(Number);
    const weekday = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
    return en ? WEEKDAYS_EN[weekday] + ' ' + d + ' ' + MONTHS_EN[mo - 1]
      : mo + '月' + d + '日（' + WEEKDAYS_JA[weekday] + '）';
  }

  return { follow, patched, el, clock, time, date };
})();
