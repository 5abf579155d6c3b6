// The public congestion page: keeps the server-rendered elements up to date from the feed.
// Words come from the page itself (#words), the same table the server rendered with.
(() => {
  const body = document.body;
  const words = JSON.parse(document.getElementById('words').textContent);
  const en = document.documentElement.lang === 'en';
  const office = body.dataset.office;
  const pollSeconds = Number(body.dataset.pollSeconds) || 20;
  const $ = (id) => document.getElementById(id);
  const { el, clock, time, date } = Live;
  const fill = (text, n, c, s) =>
    text.replace('{n}', n ?? '').replace('{c}', c ?? '').replace('{s}', s ?? '');
  const pick = (ja, english) => (en ? english : ja) || '';
  const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };
  const show = (node, visible) => { node.hidden = !visible; };
  // State labels shared with every screen; a value from a newer server reads "not known".
  const labels = words.labels;
  const phaseText = (phase) => labels.phases[phase] || labels.phase_unknown;
  const stateText = (state) => labels.ticket_states[state] || labels.state_unknown;

  let businessDate = body.dataset.businessDate;
  let calledKeys = null;
  const signatures = {};

  // Replaces a list's children only when what it shows changed (no flicker, no re-reading).
  function replaceIfChanged(node, signature, build) {
    if (signatures[node.id] === signature) return;
    signatures[node.id] = signature;
    node.replaceChildren(...build());
  }

  function hoursText(hours) {
    return time(hours.opens) + labels.range_separator + time(hours.closes);
  }

  function renderState(m) {
    const c = m.calendar;
    $('state').dataset.kind = c.accepting ? 'open' : 'shut';
    setText($('state').querySelector('.icon'), c.accepting ? '○' : '×');
    const suspended = m.reception && m.reception.suspended;
    setText($('phase'), suspended && c.phase === 'open' ? labels.suspended_headline : phaseText(c.phase));
    setText($('suspended'), suspended
      ? labels.suspensions[m.reception.reason_code] || labels.suspension_unknown : '');
    show($('suspended'), suspended);
    const notice = pick(c.notice_ja, c.notice_en);
    setText($('notice'), notice);
    show($('notice'), notice !== '');
    const today = c.today;
    setText($('hours'), today
      ? fill(words.hours_today, hoursText(today)) + (today.last_ticket ? fill(words.last_ticket, time(today.last_ticket)) : '')
      : '');
    show($('hours'), !!today);
    const congestion = m.congestion;
    $('congestion').dataset.level = congestion ? congestion.level : '';
    setText($('congestion-label'), congestion ? pick(congestion.label_ja, congestion.label_en) : '');
    show($('congestion'), !!congestion);
    show($('demo'), !!m.demo);
    show($('demo-note'), !!m.demo);
  }

  function renderCalls(m) {
    const now = m.now_called || [];
    replaceIfChanged($('calls'), JSON.stringify(now), () => now.map((called) =>
      el('li', { 'data-state': called.state },
        el('span', { className: 'number', textContent: called.number }),
        el('span', { className: 'counter', textContent: fill(words.counter, '', called.counter) }),
        el('span', { className: 'what', textContent: stateText(called.state) }))));
    show($('calls-none'), now.length === 0);
    const current = new Set(now.map((called) => called.number));
    const recent = (m.recent_calls || []).map((call) => call.number)
      .filter((number) => !current.has(number)).slice(0, 5);
    setText($('recent-numbers'), recent.join(' '));
    show($('recent'), recent.length > 0);
  }

  // Everyone waiting first (the line is shared) and the wait for a ticket taken now, once when
  // every service shares it; the per-service table hides its estimate column then.
  function renderServices(m) {
    const services = m.services || [];
    const shared = m.shared_estimate;
    setText($('waiting-total'), fill(words.people, String(m.waiting_total || 0)));
    setText($('shared-estimate'), shared ? pick(shared.text_ja, shared.text_en) : '');
    show($('shared-estimate-row'), !!shared);
    $('services-table').dataset.shared = shared ? 'true' : 'false';
    replaceIfChanged($('service-rows'), JSON.stringify(services), () => services.map((service) =>
      el('tr', { 'data-service': service.id },
        el('th', { scope: 'row', textContent: pick(service.name_ja, service.name_en) }),
        el('td', { className: 'waiting', textContent: fill(words.people, String(service.waiting)) }),
        el('td', {
          className: 'estimate',
          textContent: service.estimate ? pick(service.estimate.text_ja, service.estimate.text_en) : words.no_estimate,
        }))));
  }

  // Speaks newly called numbers once (the aria-live region), whether they came over the socket
  // or a poll.
  function announce(m) {
    const now = (m.now_called || []).filter((c) => c.state === 'called' || c.state === 'recalled');
    const keys = new Set(now.map((c) => c.number + '@' + c.called_at));
    if (calledKeys !== null) {
      const fresh = now.filter((c) => !calledKeys.has(c.number + '@' + c.called_at));
      if (fresh.length > 0) {
        setText($('announce'), fresh.map((c) => fill(words.announce_call, c.number, c.counter)).join(' '));
      }
    }
    calledKeys = keys;
  }


  function addDays(text, days) {
    const [y, mo, d] = text.split('-').map(Number);
    return new Date(Date.UTC(y, mo - 1, d + days)).toISOString().slice(0, 10);
  }

  // A new business day: the list of next open days moves on (from the calendar API).
  async function loadDays(date) {
    try {
      const url = '/api/v1/offices/' + encodeURIComponent(office) + '/calendar?from=' +
        addDays(date, 1) + '&to=' + addDays(date, 31);
      const response = await fetch(url);
      if (!response.ok) return;
      const days = (await response.json()).days.filter((day) => day.open && day.hours).slice(0, 5);
      replaceIfChanged($('day-list'), JSON.stringify(days), () => days.map((day) =>
        el('li', {}, el('time', { dateTime: day.date, textContent: date(day.date, en) }), ' ',
          el('span', { textContent: hoursText(day.hours) }))));
      show($('days-none'), days.length === 0);
    } catch (error) { /* keep the list we have */ }
  }

  function render(m) {
    body.dataset.seq = m.seq;
    renderState(m);
    renderCalls(m);
    renderServices(m);
    announce(m);
    const updated = $('updated');
    updated.dateTime = m.generated_at;
    setText(updated, clock(m.generated_at, true));
    const date = m.calendar.business_date;
    if (date !== businessDate) {
      businessDate = date;
      loadDays(date);
    }
  }

  function renderLink(mode, stale) {
    body.dataset.transport = mode;
    body.dataset.stale = stale ? 'true' : 'false';
    const text = {
      live: words.link_live,
      poll: fill(words.link_poll, '', '', String(pollSeconds)),
      connecting: words.link_connecting,
      down: words.link_down,
    }[mode];
    setText($('link'), text);
    const banner = $('stale');
    setText(banner, words.stale + (mode === 'down' ? ' ' + words.link_down : ''));
    show(banner, stale || mode === 'down');
  }

  renderLink('connecting', false);
  Live.follow(office, { pollSeconds, onSnapshot: render, onLink: renderLink });
})();
