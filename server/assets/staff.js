// The staff console. The token lives in memory and in sessionStorage (so a reload keeps the
// clerk signed in, closing the tab forgets it); it is sent only as `Authorization: Bearer`.
// Every change is made through the staff API and comes back to every screen over the feed.
(() => {
  const STORE_KEY = 'queue.staff.token';
  const COUNTER_KEY = 'queue.staff.counter';
  const OFFICE_KEY = 'queue.staff.office';
  const body = document.body;
  const pollSeconds = Number(body.dataset.pollSeconds) || 20;
  const $ = (id) => document.getElementById(id);
  const { el, clock, time, date } = Live;
  const ROLES = { issuer: '受付', counter: '窓口', admin: '管理者' };
  // State labels shared with every screen, from the page (rendered by the server).
  const labels = JSON.parse(document.getElementById('labels').textContent);
  // The report's column headings by the statistics' column names.
  const reportColumns = JSON.parse(document.getElementById('report-columns').textContent);
  const counterState = (state) => labels.counter_states[state] || labels.state_unknown;
  const ticketState = (state) => labels.ticket_states[state] || labels.state_unknown;
  const LINKS = {
    live: '自動更新中', poll: pollSeconds + '秒ごとに更新中',
    connecting: '接続しています…', down: '接続が切れています。再接続しています…',
  };

  let token = null;
  let me = null;
  let office = null;
  let snapshot = null;
  let tickets = [];
  let feed = null;
  let loading = false;
  let reloadAgain = false;
  // The last report fetched: the CSV text as the server sent it, and its file name.
  let report = null;

  // A refusal from the API, in the Japanese words of its error envelope.
  class Refusal extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // A fresh Idempotency-Key for one click: if the request is sent again (a proxy or the
  // browser retrying after a dropped connection), the server answers with the first ticket
  // instead of issuing a second. randomUUID needs a secure context (HTTPS or localhost); on
  // plain HTTP in the LAN the same 122 random bits come from getRandomValues.
  function newIdempotencyKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-'
      + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  async function api(method, path, payload, extraHeaders) {
    const headers = Object.assign({ Authorization: 'Bearer ' + token }, extraHeaders);
    const init = { method, headers, cache: 'no-store' };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(payload);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      throw new Refusal(0, 'network', 'サーバーに接続できません。ネットワークを確認してください。');
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = data && data.error;
      throw new Refusal(response.status, error ? error.code : 'error',
        error && error.message ? error.message : '操作に失敗しました（' + response.status + '）。');
    }
    return data;
  }

  function say(text, kind) {
    const message = $('message');
    message.textContent = text || '';
    message.dataset.kind = kind || 'error';
    message.hidden = !text;
  }

  // Runs a staff action; a refusal is shown in words, a dead token signs the clerk out.
  async function act(run) {
    say('');
    try {
      await run();
    } catch (error) {
      if (error instanceof Refusal && error.status === 401 && me) {
        signOut('トークンが無効になりました。もう一度サインインしてください。');
      } else {
        say(error.message || String(error));
      }
    }
  }

  async function signIn(candidate, remembered) {
    token = candidate;
    try {
      me = await api('GET', '/api/v1/session');
    } catch (error) {
      token = null;
      me = null;
      sessionStorage.removeItem(STORE_KEY);
      if (error.status === 401) {
        say(remembered
          ? 'もう一度サインインしてください。'
          : 'トークンが正しくないか、取り消されています。確かめてもう一度入力してください。');
      } else {
        say(error.message);
      }
      $('token').focus();
      return;
    }
    sessionStorage.setItem(STORE_KEY, token);
    $('token').value = '';
    say('');
    $('who-name').textContent = me.name;
    $('who-role').textContent = ROLES[me.role] || me.role;
    $('who').hidden = false;
    $('signin').hidden = true;
    $('console').hidden = false;
    $('console').dataset.role = me.role;
    $('reception').hidden = !(me.role === 'issuer' || me.role === 'admin');
    $('counter').hidden = !(me.role === 'counter' || me.role === 'admin');
    $('report').hidden = me.role !== 'admin';
    await act(loadOffices);
  }

  function signOut(reason) {
    if (feed) feed.stop();
    feed = null;
    token = null;
    me = null;
    snapshot = null;
    tickets = [];
    sessionStorage.removeItem(STORE_KEY);
    $('who').hidden = true;
    $('console').hidden = true;
    $('signin').hidden = false;
    $('ticket').hidden = true;
    $('print').hidden = true;
    clearReport('');
    say(reason || '', reason ? 'error' : 'info');
    $('token').focus();
  }

  async function loadOffices() {
    const list = await api('GET', '/api/v1/offices');
    const select = $('office');
    const wanted = sessionStorage.getItem(OFFICE_KEY);
    select.replaceChildren(...list.offices.map((o) => el('option', { value: o.id, textContent: o.name_ja })));
    if (list.offices.some((o) => o.id === wanted)) select.value = wanted;
    follow(select.value);
  }

  function follow(id) {
    if (feed) feed.stop();
    office = id;
    snapshot = null;
    tickets = [];
    sessionStorage.setItem(OFFICE_KEY, id);
    $('service-buttons').replaceChildren();
    clearReport('');
    feed = Live.follow(id, {
      pollSeconds,
      onSnapshot(message) {
        snapshot = message;
        defaultReportDays(message.calendar.business_date);
        render();
        reloadTickets();
      },
      onLink(mode, stale) {
        body.dataset.transport = mode;
        $('link').textContent = LINKS[mode] + (stale ? '（表示が古くなっています）' : '');
      },
    });
  }

  const officePath = (rest) => '/api/v1/offices/' + encodeURIComponent(office) + rest;

  // The ticket list follows the feed: one request at a time, once more if changes came meanwhile.
  async function reloadTickets() {
    if (loading) { reloadAgain = true; return; }
    loading = true;
    try {
      do {
        reloadAgain = false;
        tickets = (await api('GET', officePath('/tickets'))).tickets;
        renderCounter();
      } while (reloadAgain && token);
    } catch (error) {
      if (error.status === 401 && me) signOut('トークンが無効になりました。もう一度サインインしてください。');
    } finally {
      loading = false;
    }
  }

  const serviceName = (id) => {
    const service = snapshot && snapshot.services.find((s) => s.id === id);
    return service ? service.name_ja : id;
  };

  function render() {
    if (!snapshot) return;
    renderReception();
    renderCounter();
  }

  function renderReception() {
    const box = $('service-buttons');
    for (const service of snapshot.services) {
      let button = box.querySelector('[data-service="' + CSS.escape(service.id) + '"]');
      if (!button) {
        button = el('button', { type: 'button', className: 'service', 'data-service': service.id },
          el('span', { className: 'name', textContent: service.name_ja }),
          el('span', { className: 'count' }));
        button.addEventListener('click', () => act(() => issue(service.id)));
        box.append(button);
      }
      button.querySelector('.count').textContent = '待機中 ' + service.waiting + '人';
    }
    const accepting = snapshot.calendar.accepting;
    box.dataset.accepting = accepting ? 'true' : 'false';
    const closed = $('reception-closed');
    const suspended = snapshot.reception.suspended;
    closed.textContent = accepting ? '' : snapshot.calendar.notice_ja ||
      (suspended ? labels.suspensions[snapshot.reception.reason_code] || labels.suspension_unknown : '');
    closed.hidden = accepting;
    if (suspended && !snapshot.calendar.notice_ja) showSuspensionNote();
  }

  // Staff's own note on a suspension is never in the public snapshot: read it on the staff route.
  async function showSuspensionNote() {
    try {
      const reception = await api('GET', officePath('/reception'));
      const closed = $('reception-closed');
      if (reception.suspended && reception.note && !closed.textContent.includes(reception.note)) {
        closed.textContent += '（職員メモ：' + reception.note + '）';
      }
    } catch (error) { /* the public wording is shown anyway */ }
  }

  // 「2026年12月1日（火）10:05 発券」 from the ticket's issue instant.
  function issuedText(instant) {
    const day = String(instant).slice(0, 10);
    return day.slice(0, 4) + '年' + date(day, false) + time(clock(instant)) + ' 発券';
  }

  async function issue(service) {
    const ticket = await api('POST', officePath('/tickets'), { service },
      { 'Idempotency-Key': newIdempotencyKey() });
    const today = snapshot && snapshot.calendar.today;
    $('t-office').textContent = snapshot ? snapshot.office.name_ja : '';
    $('t-number').textContent = ticket.number;
    $('t-service').textContent = serviceName(ticket.service);
    // What was true at issue, never a promise: no 「すぐにお呼びします」 on paper.
    $('t-ahead').textContent = '発券時にお待ちの方：' + ticket.ahead_at_issue + '人';
    $('t-estimate').textContent = ticket.estimate_min_minutes != null
      ? '発券時の待ち時間の目安：' + ticket.estimate_min_minutes + '～' + ticket.estimate_max_minutes + '分程度'
      : '';
    $('t-time').textContent = issuedText(ticket.issued_at);
    $('t-hours').textContent = today
      ? '受付時間 ' + time(today.opens) + labels.range_separator + time(today.closes) : '';
    // The visitor's own page, by the ticket's unguessable id (printed as a QR code).
    $('t-qr').src = '/t/' + encodeURIComponent(ticket.public_id) + '/qr.svg';
    $('t-qr').hidden = false;
    $('t-qr-caption').hidden = false;
    $('ticket').hidden = false;
    $('print').hidden = false;
    $('ticket').scrollIntoView({ block: 'nearest' });
  }

  function selectedCounter() {
    if (!snapshot) return null;
    const id = $('counter-select').value;
    return snapshot.counters.find((c) => c.id === id) || null;
  }

  function renderCounter() {
    if (!snapshot || $('counter').hidden) return;
    const select = $('counter-select');
    const ids = snapshot.counters.map((c) => c.id);
    if (select.options.length !== ids.length) {
      const wanted = select.value || sessionStorage.getItem(COUNTER_KEY);
      select.replaceChildren(...ids.map((id) => el('option', { value: id, textContent: id + '番窓口' })));
      if (ids.includes(wanted)) select.value = wanted;
    }
    const counter = selectedCounter();
    if (!counter) return;
    $('counter-state').textContent = counterState(counter.state);
    $('counter-state').dataset.state = counter.state;
    const current = currentTicket(counter.id);
    $('current-number').textContent = current ? current.number : '—';
    $('current-state').textContent = current
      ? serviceName(current.service) + '・' + ticketState(current.state) : '';
    // Each ticket carries the actions the server's lifecycle allows on it now.
    for (const button of document.querySelectorAll('[data-ticket-action]')) {
      button.disabled = !current || !(current.actions || []).includes(button.dataset.ticketAction);
    }
    const waiting = tickets.filter((t) => t.state === 'waiting' && counter.services.includes(t.service));
    $('waiting-count').textContent = '（' + waiting.length + '人）';
    $('waiting-none').hidden = waiting.length > 0;
    $('waiting-rows').replaceChildren(...waiting.map((t) => {
      const cancel = el('button', { type: 'button', className: 'small', textContent: '取消' });
      cancel.setAttribute('aria-label', t.number + ' を取り消す');
      cancel.addEventListener('click', () => act(() => ticketAction(t.id, 'cancel')));
      return el('tr', {},
        el('th', { scope: 'row', className: 'number', textContent: t.number }),
        el('td', { textContent: serviceName(t.service) }),
        el('td', { textContent: clock(t.issued_at) }),
        el('td', {}, cancel));
    }));
  }

  // The ticket this counter called or is serving, latest call first.
  function currentTicket(counterId) {
    const active = tickets.filter((t) => t.counter === counterId &&
      (t.state === 'called' || t.state === 'recalled' || t.state === 'serving'));
    active.sort((a, b) => String(b.called_at).localeCompare(String(a.called_at)));
    return active[0] || null;
  }

  async function ticketAction(id, action) {
    await api('POST', officePath('/tickets/' + encodeURIComponent(id) + '/' + action));
    await reloadTickets();
  }

  // The report's days start as the last seven days up to the server's business date (the
  // browser's own date may differ from the server's clock).
  function defaultReportDays(today) {
    if (!today || $('report-to').value) return;
    const from = new Date(today + 'T00:00:00Z');
    from.setUTCDate(from.getUTCDate() - 6);
    $('report-from').value = from.toISOString().slice(0, 10);
    $('report-to').value = today;
  }

  function clearReport(status) {
    report = null;
    $('report-download').disabled = true;
    $('report-table').hidden = true;
    $('report-head').replaceChildren();
    $('report-rows').replaceChildren();
    $('report-status').textContent = status;
  }

  // Fetches the statistics CSV (the same text `queue-server stats --csv` prints) with the
  // token in the header, and shows it as a table.
  async function loadReport() {
    clearReport('読み込んでいます…');
    const query = new URLSearchParams({ from: $('report-from').value, to: $('report-to').value });
    if ($('report-by-service').checked) query.set('by_service', 'true');
    let response;
    try {
      response = await fetch(officePath('/report?' + query), {
        headers: { Authorization: 'Bearer ' + token }, cache: 'no-store',
      });
    } catch (error) {
      clearReport('');
      throw new Refusal(0, 'network', 'サーバーに接続できません。ネットワークを確認してください。');
    }
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      const error = data && data.error;
      clearReport('');
      throw new Refusal(response.status, error ? error.code : 'error',
        error && error.message ? error.message : '集計を読み込めませんでした（' + response.status + '）。');
    }
    const text = await response.text();
    const disposition = response.headers.get('Content-Disposition') || '';
    const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || 'stats.csv';
    const [header, ...lines] = text.split('\n').filter((line) => line !== '');
    const columns = header.split(',');
    $('report-head').replaceChildren(...columns.map((c) =>
      el('th', { scope: 'col', textContent: reportColumns[c] || c, 'data-column': c })));
    $('report-rows').replaceChildren(...lines.map((line) =>
      el('tr', {}, ...line.split(',').map((cell, i) =>
        el(i === 0 ? 'th' : 'td', { textContent: cell === '' ? '－' : cell, ...(i === 0 ? { scope: 'row' } : {}) })))));
    $('report-table').hidden = lines.length === 0;
    $('report-status').textContent = lines.length === 0
      ? 'この期間の集計はありません。' : lines.length + '行';
    report = { text, name };
    $('report-download').disabled = false;
  }

  // Saves the very bytes shown, under the server's file name; no URL ever carries the token.
  function downloadReport() {
    if (!report) return;
    const url = URL.createObjectURL(new Blob([report.text], { type: 'text/csv;charset=utf-8' }));
    const link = el('a', { href: url, download: report.name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  $('report-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act(loadReport);
  });
  $('report-download').addEventListener('click', downloadReport);

  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const candidate = $('token').value.trim();
    if (!candidate) {
      say('職員用トークンを入力してください。');
      return;
    }
    signIn(candidate, false);
  });
  $('signout').addEventListener('click', () => signOut());
  $('office').addEventListener('change', (event) => follow(event.target.value));
  $('counter-select').addEventListener('change', (event) => {
    sessionStorage.setItem(COUNTER_KEY, event.target.value);
    renderCounter();
  });
  $('print').addEventListener('click', () => window.print());
  for (const button of document.querySelectorAll('[data-counter-action]')) {
    button.addEventListener('click', () => act(async () => {
      const counter = selectedCounter();
      if (!counter) return;
      await api('POST', officePath('/counters/' + encodeURIComponent(counter.id) + '/' + button.dataset.counterAction));
    }));
  }
  $('call-next').addEventListener('click', () => act(async () => {
    const counter = selectedCounter();
    if (!counter) return;
    const ticket = await api('POST', officePath('/counters/' + encodeURIComponent(counter.id) + '/call-next'));
    say(ticket.number + ' をお呼びしました。', 'info');
    await reloadTickets();
  }));
  for (const button of document.querySelectorAll('[data-ticket-action]')) {
    button.addEventListener('click', () => act(async () => {
      const counter = selectedCounter();
      const current = counter && currentTicket(counter.id);
      if (current) await ticketAction(current.id, button.dataset.path);
    }));
  }

  const remembered = sessionStorage.getItem(STORE_KEY);
  if (remembered) signIn(remembered, true);
})();
