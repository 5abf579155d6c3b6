// The personal ticket page: keeps one visitor's ticket up to date from the office's feed. The
// people ahead are counted from the snapshot's queue (the same rule as the server's: earlier
// waiting tickets that a counter able to call this one would call first), so ten thousand
// phones cost the server what ten thousand congestion pages cost. The wait itself comes from
// the ticket's API, asked again only when the count changes, and at most every 30 s.
(() => {
  const body = document.body;
  const words = JSON.parse(document.getElementById('words').textContent);
  const labels = words.labels;
  const office = body.dataset.office;
  const number = body.dataset.number;
  const service = body.dataset.service;
  const publicId = body.dataset.publicId;
  const pollSeconds = Number(body.dataset.pollSeconds) || 20;
  const notifyAhead = Number(body.dataset.notifyAhead) || 3;
  const en = document.documentElement.lang === 'en';
  const $ = (id) => document.getElementById(id);
  const fill = (text, n, c) => text.replace('{n}', n ?? '').replace('{c}', c ?? '');
  const pick = (ja, english) => (en ? english : ja) || '';
  const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };
  const show = (node, visible) => { node.hidden = !visible; };
  const REFRESH_MS = 30000;

  let state = body.dataset.state;
  let ahead = null;
  let lastRefresh = 0;
  let refreshTimer = null;
  let alerts = false;
  let audio = null;
  let notifiedNear = false;
  let notifiedCalled = false;

  // Earlier waiting tickets that share a counter with this ticket's service come first.
  function aheadIn(m) {
    const queue = m.queue || [];
    const index = queue.findIndex((t) => t.number === number);
    if (index < 0) return null;
    const mine = (m.counters || []).filter((c) => c.services.includes(service));
    return queue.slice(0, index)
      .filter((t) => mine.some((c) => c.services.includes(t.service))).length;
  }

  function alert(text, urgent) {
    setText($('announce'), text);
    if (!alerts) return;
    try { new Notification(text); } catch (error) { /* shown on the page anyway */ }
    if (navigator.vibrate) navigator.vibrate(urgent ? [300, 100, 300, 100, 300] : [200]);
    if (urgent && audio) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.value = 0.2;
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.6);
    }
  }

  function renderWaiting(count) {
    show($('ahead'), true);
    setText($('ahead'), fill(words.ahead, String(count)));
    show($('next'), count === 0);
    show($('called'), false);
    if (count <= notifyAhead && !notifiedNear) {
      notifiedNear = true;
      alert(fill(words.notice_near, number), false);
    }
  }

  function renderCalled(counter) {
    show($('ahead'), false);
    show($('next'), false);
    show($('estimate-row'), false);
    show($('called'), true);
    setText($('counter'), counter);
    setText($('go-to'), fill(words.go_to_counter, '', counter));
    if (!notifiedCalled) {
      notifiedCalled = true;
      alert(fill(words.notice_called, number, counter), true);
    }
  }

  function renderState(next) {
    state = next;
    body.dataset.state = next;
    setText($('ticket-state'), labels.ticket_states[next] || labels.state_unknown);
  }

  // The ticket's own answer: its state, its counter and the wait.
  async function refresh() {
    lastRefresh = Date.now();
    try {
      const response = await fetch('/api/v1/tickets/' + encodeURIComponent(publicId), { cache: 'no-store' });
      if (!response.ok) return;
      const ticket = await response.json();
      renderState(ticket.state);
      const estimate = ticket.estimate;
      setText($('estimate'), estimate ? pick(estimate.text_ja, estimate.text_en) : '');
      show($('estimate-row'), ticket.state === 'waiting' && !!estimate);
      if (ticket.state === 'waiting') {
        renderWaiting(ticket.ahead);
      } else if (ticket.counter) {
        renderCalled(ticket.counter);
      } else {
        show($('ahead'), false);
        show($('next'), false);
        show($('called'), false);
      }
    } catch (error) { /* keep what is shown; the feed keeps the count live */ }
  }

  function refreshSoon() {
    if (refreshTimer) return;
    const wait = Math.max(0, lastRefresh + REFRESH_MS - Date.now()) + Math.random() * 2000;
    refreshTimer = setTimeout(() => { refreshTimer = null; refresh(); }, wait);
  }

  function render(m) {
    body.dataset.seq = m.seq;
    const c = m.calendar;
    const suspended = m.reception && m.reception.suspended;
    setText($('office-state'), suspended && c.phase === 'open'
      ? labels.suspended_headline : labels.phases[c.phase] || labels.phase_unknown);
    const called = (m.now_called || []).find((n) => n.number === number);
    if (called) {
      renderState(called.state);
      renderCalled(called.counter);
      return;
    }
    const count = aheadIn(m);
    if (count !== null) {
      if (state !== 'waiting') renderState('waiting');
      renderWaiting(count);
      if (count !== ahead) {
        ahead = count;
        refreshSoon();
      }
    } else if (state === 'waiting' || state === 'called' || state === 'recalled' || state === 'serving') {
      // No longer waiting nor at a counter: finished, cancelled or gone. Ask once.
      refresh();
    }
  }

  function renderLink(mode, stale) {
    body.dataset.transport = mode;
    setText($('link'), { live: words.link_live, poll: words.link_poll }[mode] || words.link_connecting);
    show($('stale'), stale || mode === 'down');
  }

  $('notify').addEventListener('click', async () => {
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (Context && !audio) audio = new Context();
    } catch (error) { audio = null; }
    let allowed = false;
    if ('Notification' in window) {
      allowed = (await Notification.requestPermission()) === 'granted';
    }
    alerts = allowed || !!navigator.vibrate;
    setText($('notify-status'), alerts ? fill(words.notify_on, String(notifyAhead)) : words.notify_off);
    show($('notify-status'), true);
  });

  renderLink('connecting', false);
  Live.follow(office, { pollSeconds, onSnapshot: render, onLink: renderLink });
})();
