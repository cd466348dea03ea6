// The emulator's dashboard: plain ES2022, no framework, no build step, nothing fetched from elsewhere.
// Reads GET dashboard/state (re-fetched on each server-sent `change` event, or every 2 s when the event
// stream is down), renders the fabric, the resources and the operations, and drives the admin API's
// controls with the signed-in service principal's bearer token. Data is only ever put in the DOM as text.
'use strict';

(() => {
  // ---- small helpers ---------------------------------------------------------------------------------------

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

  /** Creates an element: attrs are attributes (false/null/undefined skipped, true → ""), children text or nodes. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
        else if (k === 'text') el.textContent = String(v);
        else el.setAttribute(k, v === true ? '' : String(v));
      }
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false || c === '') continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
  const lastSegment = (id) => String(id ?? '').split('/').filter(Boolean).pop() ?? '';
  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const fmt = (v) => {
    const n = num(v);
    return Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 1 : 0);
  };
  const plural = (n, one, many = one + 's') => `${n} ${n === 1 ? one : many}`;
  function hashHue(s) {
    let x = 2166136261;
    for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619);
    return (x >>> 0) % 360;
  }
  function fmtTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    const today = new Date().toDateString() === d.toDateString();
    return today ? d.toLocaleTimeString() : d.toLocaleString();
  }
  function fmtDuration(ms) {
    if (!Number.isFinite(ms) || ms < 0) return '';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
    const m = Math.floor(s / 60);
    return `${m} min ${Math.round(s - m * 60)} s`;
  }
  const KIND_LABEL = { AzureRegion: 'Azure region', AzureStackHub: 'Azure Stack Hub stamp', AzureStackHCI: 'Azure Stack HCI site' };
  const ROLE_LABEL = { controlPlane: 'Control plane', worker: 'Workers', loadBalancer: 'Load balancer', managementCluster: 'Management cluster', appliance: 'Appliance', virtualMachine: 'Virtual machines' };
  /** A tone for a state word, used only for colour (the word itself is always shown). */
  function tone(word) {
    switch (String(word ?? '').toLowerCase()) {
      case 'connected': case 'up': case 'running': case 'succeeded': case 'done': case 'infrastructure':
        return 'ok';
      case 'disconnected': case 'failed': case 'unreachable': case 'canceled': case 'cancelled':
        return 'bad';
      case 'degraded': case 'stopped': case 'deallocated': case 'deleting': case 'held': case 'undone':
        return 'warn';
      case 'creating': case 'inprogress': case 'running-task': case 'updating': case 'accepted':
        return 'busy';
      default:
        return 'neutral';
    }
  }
  const pill = (word, attrs = {}) => h('span', { ...attrs, class: ['pill', `tone-${tone(word)}`, attrs.class] }, word);

  /** A labelled bar: role=progressbar with the numbers as text (never colour alone). */
  function bar(label, used, total, text, opts = {}) {
    const t = num(total);
    const u = Math.max(0, num(used));
    const ratio = t > 0 ? Math.min(1, u / t) : 0;
    const level = opts.percent ? (opts.failed ? 'failed' : ratio >= 0.999 ? 'done' : 'normal') : ratio >= 0.999 ? 'full' : ratio >= 0.8 ? 'high' : 'normal';
    const fill = h('div', { class: 'bar-fill' });
    fill.style.width = `${(ratio * 100).toFixed(1)}%`;
    const track = h(
      'div',
      {
        class: ['bar', `bar-${level}`],
        role: 'progressbar',
        'aria-label': label,
        'aria-valuemin': 0,
        'aria-valuemax': opts.percent ? 100 : t,
        'aria-valuenow': opts.percent ? Math.round(ratio * 100) : u,
        'aria-valuetext': text,
      },
      fill,
    );
    return h('div', { class: ['bar-row', opts.compact && 'compact'] },
      opts.hideLabel ? null : h('span', { class: 'bar-label' }, label),
      track,
      h('span', { class: 'bar-text' }, text));
  }

  // ---- state -----------------------------------------------------------------------------------------------

  const TABS = ['fabric', 'resources', 'operations'];
  const ui = {
    tab: TABS.includes(location.hash.slice(1)) ? location.hash.slice(1) : sessionStorage.getItem('dash.tab') || 'fabric',
    allRegions: sessionStorage.getItem('dash.allRegions') === 'true',
    collapsedSubs: new Set(JSON.parse(sessionStorage.getItem('dash.collapsedSubs') || '[]')),
    expandedScopes: new Set(JSON.parse(sessionStorage.getItem('dash.scopes') || '[]')),
    expandedOps: new Set(JSON.parse(sessionStorage.getItem('dash.ops') || '[]')),
    collapsedSites: new Set(JSON.parse(sessionStorage.getItem('dash.collapsedSites') || '[]')),
    jsonId: sessionStorage.getItem('dash.json') || null,
    allTasks: new Set(),
  };
  if (!TABS.includes(ui.tab)) ui.tab = 'fabric';
  function saveUi() {
    sessionStorage.setItem('dash.tab', ui.tab);
    sessionStorage.setItem('dash.allRegions', String(ui.allRegions));
    sessionStorage.setItem('dash.collapsedSubs', JSON.stringify([...ui.collapsedSubs]));
    sessionStorage.setItem('dash.scopes', JSON.stringify([...ui.expandedScopes]));
    sessionStorage.setItem('dash.ops', JSON.stringify([...ui.expandedOps]));
    sessionStorage.setItem('dash.collapsedSites', JSON.stringify([...ui.collapsedSites]));
    if (ui.jsonId) sessionStorage.setItem('dash.json', ui.jsonId);
    else sessionStorage.removeItem('dash.json');
  }

  let state = null; // the last dashboard/state
  let health = null; // the last health
  let stateError = null;
  const resources = new Map(); // scope → {version, value, truncated, error, loading}
  const opDetails = new Map(); // operation id → {version, op, error, loading}
  const rendered = { fabric: null, resources: null, operations: null };

  // ---- fetching --------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }
  async function readError(res) {
    let body = null;
    try {
      body = await res.json();
    } catch {
      /* not JSON */
    }
    const e = body?.error;
    if (e && typeof e === 'object') return new ApiError(res.status, e.code ?? String(res.status), e.message ?? res.statusText);
    if (typeof e === 'string') return new ApiError(res.status, e, body.error_description ?? e);
    return new ApiError(res.status, `HTTP ${res.status}`, res.statusText || 'The request failed.');
  }
  async function getJson(url) {
    const res = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!res.ok) throw await readError(res);
    return res.json();
  }

  // ---- auth ------------------------------------------------------------------------------------------------

  const auth = {
    get token() {
      const t = sessionStorage.getItem('dash.token');
      const exp = Number(sessionStorage.getItem('dash.tokenExpires') || 0);
      if (t && exp && Date.now() > exp) {
        this.clear();
        return null;
      }
      return t;
    },
    get clientId() {
      return sessionStorage.getItem('dash.clientId');
    },
    set(token, clientId, expiresIn) {
      sessionStorage.setItem('dash.token', token);
      sessionStorage.setItem('dash.clientId', clientId);
      const secs = Number(expiresIn);
      if (Number.isFinite(secs) && secs > 0) sessionStorage.setItem('dash.tokenExpires', String(Date.now() + (secs - 30) * 1000));
      else sessionStorage.removeItem('dash.tokenExpires');
    },
    clear() {
      sessionStorage.removeItem('dash.token');
      sessionStorage.removeItem('dash.tokenExpires');
    },
  };
  const authRequired = () => Boolean(health?.auth ?? state?.auth);
  let pendingAction = null; // what the user tried while signed out; run after signing in

  function renderAuth() {
    const required = authRequired();
    const token = auth.token;
    $('#auth-off').hidden = required || !(health || state);
    const signedIn = $('#signed-in');
    signedIn.hidden = !(required && token);
    signedIn.textContent = token ? `Signed in as ${auth.clientId ?? 'a service principal'}` : '';
    $('#sign-out').hidden = !(required && token);
    $('#show-sign-in').hidden = true; // the form itself is in view while signed out
    // With auth on, the sign-in form stays in view until signed in (the controls need it).
    const panel = $('#signin-panel');
    const show = required && !token;
    if (show && panel.hidden) {
      panel.hidden = false;
      const id = panel.querySelector('[name="client_id"]');
      if (!id.value && auth.clientId) id.value = auth.clientId;
    }
    if (!show) panel.hidden = true;
  }
  function showSignIn(reason) {
    const panel = $('#signin-panel');
    $('#signin-reason').textContent = reason || 'The controls change the emulator: sign in with a service principal.';
    panel.hidden = false;
    panel.classList.remove('attention');
    void panel.offsetWidth;
    if (reason) panel.classList.add('attention');
    const id = panel.querySelector('[name="client_id"]');
    if (!id.value && auth.clientId) id.value = auth.clientId;
    (id.value ? panel.querySelector('[name="client_secret"]') : id).focus();
  }
  async function signIn(form) {
    const clientId = form.client_id.value.trim();
    const secret = form.client_secret.value;
    if (!health?.tokenEndpoint) {
      try {
        health = await getJson('health');
      } catch {
        /* reported below */
      }
    }
    const endpoint = health?.tokenEndpoint;
    if (!endpoint) {
      showMessage('The emulator did not say where to get a token (health.tokenEndpoint is missing).');
      return;
    }
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
    if (health.audience) body.set('resource', health.audience);
    const button = form.querySelector('[data-action="sign-in"]');
    button.disabled = true;
    try {
      const res = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body });
      if (!res.ok) throw await readError(res);
      const out = await res.json();
      if (!out.access_token) throw new ApiError(res.status, 'NoToken', 'The token endpoint answered without an access_token.');
      auth.set(out.access_token, clientId, out.expires_in);
      form.client_secret.value = '';
      $('#signin-reason').textContent = 'The controls change the emulator: sign in with a service principal.';
      $('#signin-panel').classList.remove('attention');
      clearMessage();
      announce(`Signed in as ${clientId}`);
      renderAuth();
      const next = pendingAction;
      pendingAction = null;
      if (next) await next();
    } catch (e) {
      showMessage(`Sign-in failed: ${describeError(e)}`);
    } finally {
      button.disabled = false;
    }
  }

  /** Calls the admin API with the bearer token; on 401 asks to sign in and retries the call afterwards. */
  async function control(method, url, body, retry) {
    if (authRequired() && !auth.token) {
      pendingAction = retry ?? null;
      showSignIn('Sign in to use this control: changes need a service principal’s token. It runs once you are signed in.');
      showMessage('Sign in first: changes need a service principal’s token.', 'info');
      return null;
    }
    const headers = { Accept: 'application/json' };
    const token = auth.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      showMessage(`Could not reach the emulator: ${e.message}`);
      return null;
    }
    if (res.status === 401) {
      const err = await readError(res);
      auth.clear();
      renderAuth();
      pendingAction = retry ?? null;
      showSignIn(`Sign in again: the emulator refused the token (${err.code}: ${err.message}).`);
      showMessage(`Sign in again: ${err.code}: ${err.message}`);
      return null;
    }
    if (!res.ok) {
      showMessage(describeError(await readError(res)));
      return null;
    }
    clearMessage();
    try {
      return await res.json();
    } catch {
      return {};
    }
  }

  // ---- messages --------------------------------------------------------------------------------------------

  let messageTimer = null;
  function describeError(e) {
    if (e instanceof ApiError) return `${e.code}: ${e.message}`;
    return e?.message ?? String(e);
  }
  function showMessage(text, kind = 'error') {
    const box = $('#message');
    clearTimeout(messageTimer);
    box.replaceChildren(
      h('span', { class: 'message-text' }, text),
      h('button', { type: 'button', class: 'btn small', 'data-action': 'dismiss-message', 'aria-label': 'Dismiss message' }, 'Dismiss'),
    );
    box.dataset.kind = kind;
    box.hidden = false;
    if (kind === 'info') messageTimer = setTimeout(clearMessage, 8000);
  }
  function clearMessage() {
    clearTimeout(messageTimer);
    const box = $('#message');
    box.hidden = true;
    box.replaceChildren();
  }
  let announceTimer = null;
  const announceQueue = [];
  function announce(text) {
    announceQueue.push(text);
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      $('#announcer').textContent = [...new Set(announceQueue.splice(0))].join('. ');
    }, 150);
  }

  // ---- live feed -------------------------------------------------------------------------------------------

  let inFlight = null;
  let queued = false;
  let forceRender = false;
  /** Re-fetches the state: at most one fetch in flight and one queued. */
  function refresh(force = false) {
    if (force) forceRender = true;
    if (inFlight) {
      queued = true;
      return inFlight;
    }
    inFlight = loadState().finally(() => {
      inFlight = null;
      if (queued) {
        queued = false;
        refresh();
      }
    });
    return inFlight;
  }
  /** The state, with resource groups only while the Resources tab is open (they can be many). */
  function stateUrl() {
    const q = new URLSearchParams();
    if (ui.allRegions) q.set('allRegions', 'true');
    if (ui.tab === 'resources') q.set('resourceGroups', 'true');
    const qs = q.toString();
    return `dashboard/state${qs ? `?${qs}` : ''}`;
  }
  async function loadState() {
    try {
      const s = await getJson(stateUrl());
      // Back after an outage: the emulator may have restarted with its version counter from the start.
      if (stateError) forceRender = true;
      stateError = null;
      if (liveMode === 'offline') setLive(es && es.readyState === EventSource.OPEN ? 'live' : 'polling');
      const changed = !state || s.version !== state.version || forceRender;
      forceRender = false;
      if (!changed) return;
      const prev = state;
      state = s;
      if (prev) announceChanges(prev, s);
      if (prev && prev.auth !== s.auth) loadHealth();
      render();
    } catch (e) {
      stateError = e;
      if (!es || es.readyState !== EventSource.OPEN) setLive('offline');
      if (!state) render();
    }
  }
  async function loadHealth() {
    try {
      health = await getJson('health');
    } catch {
      /* keep the last one */
    }
    renderAuth();
    renderTimeScale();
  }

  let es = null;
  let pollTimer = null;
  let liveMode = 'offline';
  let reconnectTimer = null;
  function setLive(mode) {
    liveMode = mode;
    const el = $('[data-testid="live-state"]');
    el.textContent = { live: 'Live', polling: 'Polling', offline: 'Offline' }[mode];
    el.dataset.live = mode;
    renderClock();
    el.title = { live: 'Updates arrive as they happen (server-sent events).', polling: 'The event stream is down: checking every 2 seconds.', offline: 'The emulator cannot be reached.' }[mode];
  }
  function startPolling() {
    if (pollTimer) return;
    if (liveMode === 'live') setLive('polling');
    pollTimer = setInterval(() => refresh(), 2000);
    refresh();
  }
  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }
  function connectEvents() {
    clearTimeout(reconnectTimer);
    if (typeof EventSource === 'undefined') {
      startPolling();
      return;
    }
    es = new EventSource('dashboard/events');
    es.addEventListener('open', () => {
      stopPolling();
      setLive('live');
      refresh();
    });
    es.addEventListener('change', (ev) => {
      let v;
      try {
        v = JSON.parse(ev.data).version;
      } catch {
        /* refresh anyway */
      }
      if (v === undefined || !state || v !== state.version) refresh();
    });
    es.addEventListener('error', () => {
      if (liveMode === 'live') setLive('polling');
      startPolling();
      if (es.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. the route answered an error): try again ourselves.
        es = null;
        reconnectTimer = setTimeout(connectEvents, 5000);
      }
    });
  }

  // ---- announcements ---------------------------------------------------------------------------------------

  function announceChanges(prev, next) {
    const prevSites = new Map((prev.sites ?? []).map((s) => [s.name, s]));
    for (const s of next.sites ?? []) {
      const p = prevSites.get(s.name);
      if (!p) continue;
      if (p.connected !== s.connected) announce(`Site ${s.name} ${s.connected ? 'connected' : 'disconnected'}`);
      const hosts = new Map((p.hosts ?? []).map((x) => [x.name, x]));
      for (const host of s.hosts ?? []) {
        const ph = hosts.get(host.name);
        if (ph && ph.state !== host.state) announce(`Host ${host.name} on ${s.name} ${host.state === 'Failed' ? 'failed' : 'recovered'}`);
      }
      const owners = new Map((p.owners ?? []).map((o) => [o.id, o]));
      for (const o of s.owners ?? []) {
        const po = owners.get(o.id);
        if (po && po.state !== o.state) announce(`${o.name} is ${o.state}`);
      }
    }
    const prevOps = new Map((prev.operations?.value ?? []).map((o) => [o.id, o]));
    for (const o of next.operations?.value ?? []) {
      const p = prevOps.get(o.id);
      if (!p) {
        if (o.status === 'InProgress') announce(`${opLabel(o)} of ${o.resourceName ?? lastSegment(o.resourceId)} started`);
      } else if (p.status !== o.status) {
        announce(`${opLabel(o)} of ${o.resourceName ?? lastSegment(o.resourceId)} ${o.status === 'InProgress' ? 'in progress' : o.status.toLowerCase()}`);
      }
    }
  }

  // ---- render: common --------------------------------------------------------------------------------------

  function render() {
    renderAuth();
    renderTimeScale();
    renderHeader();
    renderSection('fabric', state ? JSON.stringify([state.sites, state.hiddenRegions, ui.collapsedSites.size && [...ui.collapsedSites]]) : null, renderFabric);
    renderSection('resources', state ? JSON.stringify([state.subscriptions, [...ui.collapsedSubs], [...ui.expandedScopes]]) : null, renderResources);
    renderSection('operations', state ? JSON.stringify([state.operations, [...ui.expandedOps]]) : null, renderOperations);
    refreshDetails();
  }
  /** Re-renders a section only when what it shows changed (keeps buttons in place while nothing happens). */
  function renderSection(name, key, fn) {
    if (key !== null && rendered[name] === key) return;
    rendered[name] = key;
    // The focused control survives the re-render: its twin in the new DOM takes the focus back.
    const focus = focusKey(document.activeElement);
    try {
      fn();
      if (focus && focusKey(document.activeElement) !== focus) {
        const again = $$(`#${name} [data-action]`).find((el) => focusKey(el) === focus);
        if (again) again.focus({ preventScroll: true });
      }
    } catch (e) {
      console.error(e);
      $(`#${name}`).replaceChildren(h('p', { class: 'empty error' }, `Could not show this section: ${e.message}`));
    }
  }
  function focusKey(el) {
    if (!el || el === document.body || !el.dataset?.action) return null;
    const at = (attr) => el.closest(`[${attr}]`)?.getAttribute(attr) ?? '';
    return [el.dataset.action, at('data-site'), at('data-host'), at('data-operation'), el.dataset.id ?? '', el.dataset.scope ?? ''].join('|');
  }
  function renderHeader() {
    renderClock();
    const n = state?.operations?.inProgress ?? 0;
    const count = $('#ops-count');
    count.replaceChildren(String(n), h('span', { class: 'visually-hidden' }, ' in progress'));
    count.hidden = !n;
  }
  function renderClock() {
    const clock = $('#server-time');
    if (liveMode === 'offline') clock.textContent = state?.time ? `Unreachable: showing the state of ${fmtTime(state.time)}` : 'The emulator cannot be reached';
    else clock.textContent = state?.time ? `Server time ${fmtTime(state.time)}` : '';
  }
  function renderTimeScale() {
    const ts = state?.timeScale ?? health?.timeScale;
    $('#time-scale-current').textContent = ts === undefined ? '' : `Current: ${ts}`;
    const input = $('#time-scale-input');
    if (ts !== undefined && document.activeElement !== input && input.dataset.dirty !== 'true') input.value = String(ts);
  }
  function emptyOrError(text) {
    if (stateError && !state) return h('p', { class: 'empty error' }, `Could not load the emulator's state: ${describeError(stateError)}`);
    return h('p', { class: 'empty' }, text);
  }
  function selectTab(tab, focus = false) {
    if (!TABS.includes(tab)) return;
    const before = ui.tab;
    ui.tab = tab;
    // Resource groups come with the state only while the Resources tab asks for them.
    if ((before === 'resources') !== (tab === 'resources') && state) refresh(true);
    saveUi();
    for (const b of $$('[data-tab]')) {
      const on = b.dataset.tab === tab;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      if (on && focus) b.focus();
    }
    for (const p of $$('[data-panel]')) p.hidden = p.dataset.panel !== tab;
    if (location.hash !== `#${tab}`) history.replaceState(null, '', `#${tab}`);
  }

  // ---- render: fabric --------------------------------------------------------------------------------------

  function renderFabric() {
    const root = $('#fabric');
    const hidden = num(state?.hiddenRegions);
    $('#hidden-regions').textContent = ui.allRegions ? '' : hidden ? `(${plural(hidden, 'idle region')} hidden)` : '';
    $('#all-regions').checked = ui.allRegions;
    const sites = state?.sites ?? [];
    if (!sites.length) {
      root.replaceChildren(emptyOrError('No sites.'));
      return;
    }
    root.replaceChildren(...sites.map(siteCard));
  }

  /** A hue per owner on a site: a slot of a palette of well-separated hues, picked by hash, next free on a clash. */
  const PALETTE = [212, 330, 140, 32, 272, 180, 4, 95, 52, 300, 160, 240];
  function ownerHues(ids) {
    const out = new Map();
    const used = new Set();
    for (const id of [...new Set(ids)].sort()) {
      let slot = hashHue(id) % PALETTE.length;
      for (let i = 0; i < PALETTE.length && used.has(slot); i++) slot = (slot + 1) % PALETTE.length;
      used.add(slot);
      out.set(id, used.size > PALETTE.length ? hashHue(id) : PALETTE[slot]);
    }
    return out;
  }
  let siteHues = new Map();
  const hueOf = (id) => siteHues.get(id) ?? hashHue(id);

  function siteCard(site) {
    const ownersById = new Map((site.owners ?? []).map((o) => [o.id, o]));
    siteHues = ownerHues([...(site.owners ?? []).map((o) => o.id), ...(site.vms ?? []).map((v) => v.owner ?? '')]);
    const collapsed = ui.collapsedSites.has(site.name);
    const vms = site.vms ?? [];
    const hosts = site.hosts ?? [];
    const titleId = `site-${site.name}-title`;
    const connected = Boolean(site.connected);
    const head = h('header', { class: 'site-head' },
      h('div', { class: 'site-title' },
        h('h3', { id: titleId }, site.displayName || site.name),
        h('p', { class: 'muted site-sub' },
          [site.name, KIND_LABEL[site.kind] ?? site.kind, site.location && site.location !== site.name ? `location ${site.location}` : null,
            site.elastic ? 'elastic capacity' : null, site.remote ? 'remote site' : null].filter(Boolean).join(' · '))),
      h('div', { class: 'site-status' },
        pill(connected ? 'Connected' : 'Disconnected', { 'data-testid': 'site-state' }),
        site.reachable === false ? pill('unreachable', { 'data-testid': 'site-reachable', class: 'tone-bad' }) : null,
        h('span', { class: 'muted' }, plural(vms.length, 'VM')),
        connected
          ? h('button', { type: 'button', class: 'btn danger', 'data-action': 'disconnect' }, 'Disconnect')
          : h('button', { type: 'button', class: 'btn primary', 'data-action': 'connect' }, 'Connect'),
        h('button', { type: 'button', class: 'btn ghost small', 'data-action': 'toggle-site', 'aria-expanded': String(!collapsed), 'aria-label': `${collapsed ? 'Show' : 'Hide'} details of ${site.name}` }, collapsed ? 'Show' : 'Hide')));

    const card = h('article', { class: ['site', 'card', connected ? 'is-connected' : 'is-disconnected'], 'data-site': site.name, 'data-kind': site.kind, 'aria-labelledby': titleId }, head);
    if (!connected || site.reachable === false) {
      card.append(h('p', { class: 'site-note' }, !connected
        ? `Disconnected: Azure cannot reach ${site.name}; its VMs show their last known state and changes wait until it connects again.`
        : `Unreachable: the emulator cannot reach ${site.name}'s fabric; its VMs show their last known state.`));
    }
    if (collapsed) return card;

    if (site.capacity) {
      const c = site.capacity;
      card.append(h('div', { class: 'capacity' },
        bar('Cores', num(c.cores) - num(c.freeCores), c.cores, `${fmt(num(c.cores) - num(c.freeCores))} of ${fmt(c.cores)} cores used`),
        bar('Memory', num(c.memoryGB) - num(c.freeMemoryGB), c.memoryGB, `${fmt(num(c.memoryGB) - num(c.freeMemoryGB))} of ${fmt(c.memoryGB)} GB used`),
        c.storageGB ? bar('Storage', num(c.storageGB) - num(c.freeStorageGB), c.storageGB, `${fmt(num(c.storageGB) - num(c.freeStorageGB))} of ${fmt(c.storageGB)} GB used`) : null));
    } else if (site.elastic) {
      card.append(h('p', { class: 'muted capacity-note' }, 'Elastic capacity: this region never runs out.'));
    }

    // Hosts, each with its VMs; VMs on no known host get their own group.
    const hostNames = new Set(hosts.map((x) => x.name));
    const byHost = new Map();
    for (const vm of vms) {
      const key = hostNames.has(vm.host) ? vm.host : '';
      if (!byHost.has(key)) byHost.set(key, []);
      byHost.get(key).push(vm);
    }
    if (hosts.length) {
      const full = hosts.filter((x) => hostLevel(x) === 'full').length;
      card.append(h('h4', { class: 'sub-head' }, `Hosts (${hosts.length})`, full ? h('span', { class: 'muted' }, ` · ${full} full`) : null));
      card.append(hostStrip(hosts));
      card.append(h('div', { class: 'hosts' }, hosts.map((host) => hostCard(host, byHost.get(host.name) ?? [], ownersById))));
    }
    // VMs on hosts the site does not list (e.g. an elastic region's): one plain group per host name.
    const loose = byHost.get('') ?? [];
    if (loose.length) {
      const groups = new Map();
      for (const vm of loose) {
        const k = vm.host ?? '';
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k).push(vm);
      }
      card.append(h('h4', { class: 'sub-head' }, hosts.length ? 'VMs not on a listed host' : 'VMs'));
      card.append(h('div', { class: 'hosts' }, [...groups].map(([hostName, list]) =>
        h('section', { class: 'host card pseudo', 'data-host': hostName, 'aria-label': hostName ? `Host ${hostName}` : 'Not placed' },
          h('div', { class: 'host-head' }, h('h5', null, hostName || 'Not placed yet'), h('span', { class: 'muted small' }, plural(list.length, 'VM'))),
          vmGroups(list, ownersById)))));
    }
    if (!vms.length) card.append(h('p', { class: 'empty' }, 'No VMs on this site.'));

    if ((site.owners ?? []).length || vms.length) card.append(ownersTable(site));
    card.append(networksTable(site));
    return card;
  }

  function hostLevel(host) {
    // A failed host offers nothing (the fabric reports it with no free capacity): it is down, not full.
    if (host.state === 'Failed') return 'failed';
    const cr = num(host.cores) ? 1 - num(host.freeCores) / num(host.cores) : 0;
    const mr = num(host.memoryGB) ? 1 - num(host.freeMemoryGB) / num(host.memoryGB) : 0;
    const r = Math.max(cr, mr);
    return (num(host.cores) && num(host.freeCores) <= 0) || (num(host.memoryGB) && num(host.freeMemoryGB) <= 0) ? 'full' : r >= 0.8 ? 'high' : 'normal';
  }

  /** One small tile per host: name, state, how full, at a glance (the cards below hold the detail). */
  function hostStrip(hosts) {
    return h('ul', { class: 'host-strip', 'aria-label': 'Hosts at a glance' }, hosts.map((x) => {
      const level = hostLevel(x);
      const up = x.state !== 'Failed';
      const used = num(x.cores) - num(x.freeCores);
      const ratio = num(x.cores) ? used / num(x.cores) : 0;
      const mratio = num(x.memoryGB) ? 1 - num(x.freeMemoryGB) / num(x.memoryGB) : 0;
      const fill = h('span', { class: 'mini-fill' });
      fill.style.width = up ? `${Math.round(Math.min(1, Math.max(ratio, mratio)) * 100)}%` : '0%';
      const word = !up ? 'Failed' : level === 'full' ? 'Full' : level === 'high' ? 'Nearly full' : 'Has room';
      return h('li', { class: ['host-tile', `level-${level}`, up ? 'is-up' : 'is-failed'], title: `${x.name}: ${x.state}; ${fmt(used)} of ${fmt(x.cores)} cores, ${fmt(num(x.memoryGB) - num(x.freeMemoryGB))} of ${fmt(x.memoryGB)} GB used` },
        h('span', { class: 'tile-name' }, x.name),
        h('span', { class: 'tile-word' }, word),
        h('span', { class: 'mini-bar', 'aria-hidden': 'true' }, fill),
        h('span', { class: 'tile-num' }, up ? `${fmt(num(x.freeCores))} cores · ${fmt(x.freeMemoryGB)} GB free` : 'offers no capacity'));
    }));
  }

  function hostCard(host, vms, ownersById) {
    const up = host.state !== 'Failed';
    const level = hostLevel(host);
    const usedCores = up ? num(host.cores) - num(host.freeCores) : vms.reduce((n, v) => n + num(v.cores), 0);
    const usedMem = up ? num(host.memoryGB) - num(host.freeMemoryGB) : vms.reduce((n, v) => n + num(v.memoryGB), 0);
    const coresText = up ? `${fmt(usedCores)} of ${fmt(host.cores)} cores used, ${fmt(host.freeCores)} free` : `${fmt(usedCores)} of ${fmt(host.cores)} cores held; none offered while the host is failed`;
    const memText = up ? `${fmt(usedMem)} of ${fmt(host.memoryGB)} GB used, ${fmt(host.freeMemoryGB)} free` : `${fmt(usedMem)} of ${fmt(host.memoryGB)} GB held; none offered while the host is failed`;
    return h('section', { class: ['host', 'card', up ? 'is-up' : 'is-failed', `level-${level}`], 'data-host': host.name, 'aria-label': `Host ${host.name}` },
      h('div', { class: 'host-head' },
        h('h5', null, host.name),
        pill(up ? 'Up' : 'Failed', { 'data-testid': 'host-state' }),
        level === 'full' ? pill('Full', { class: 'tone-bad', 'data-testid': 'host-full' }) : level === 'high' ? pill('Nearly full', { class: 'tone-warn' }) : null,
        h('span', { class: 'spacer' }),
        up
          ? h('button', { type: 'button', class: 'btn danger small', 'data-action': 'fail', 'aria-label': `Fail host ${host.name}` }, 'Fail')
          : h('button', { type: 'button', class: 'btn primary small', 'data-action': 'recover', 'aria-label': `Recover host ${host.name}` }, 'Recover')),
      bar('Cores', usedCores, host.cores, coresText, { compact: true }),
      bar('Memory', usedMem, host.memoryGB, memText, { compact: true }),
      vms.length ? vmGroups(vms, ownersById) : h('p', { class: 'empty small' }, 'No VMs on this host.'));
  }

  function ownerName(id, ownersById) {
    return ownersById.get(id)?.name ?? (lastSegment(id) || 'No owner');
  }
  function ownerKindLabel(o) {
    if (!o) return '';
    const t = String(o.type ?? '');
    const short = t.split('/').slice(1).join('/') || t;
    return o.kind === 'cluster' ? `cluster · ${short}` : o.kind === 'bridge' ? `bridge · ${short}` : short || o.kind;
  }

  /** VMs grouped by owner, then by role; every chip carries the owner's colour AND name. */
  function vmGroups(vms, ownersById) {
    const groups = new Map();
    for (const vm of vms) {
      const k = vm.owner ?? '';
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(vm);
    }
    const out = h('div', { class: 'vm-groups' });
    for (const [owner, list] of groups) {
      const o = ownersById.get(owner);
      const g = h('div', { class: 'vm-group owner-colour', 'data-group-owner': owner });
      g.style.setProperty('--hue', String(hueOf(owner)));
      g.append(h('div', { class: 'vm-group-head' },
        h('span', { class: 'swatch', 'aria-hidden': 'true' }),
        h('span', { class: 'owner-name', title: owner }, ownerName(owner, ownersById)),
        o ? h('span', { class: 'muted owner-type' }, ownerKindLabel(o)) : null));
      const roles = new Map();
      for (const vm of list) {
        if (!roles.has(vm.role)) roles.set(vm.role, []);
        roles.get(vm.role).push(vm);
      }
      for (const [role, rvms] of roles) {
        g.append(h('div', { class: 'role-row' },
          h('span', { class: 'role-name' }, ROLE_LABEL[role] ?? role, ROLE_LABEL[role] ? h('span', { class: 'role-key' }, ` · ${role}`) : null),
          h('ul', { class: 'chips', 'aria-label': `${ownerName(owner, ownersById)} ${role} VMs` },
            rvms.map((vm) => h('li', {
              class: ['vm-chip', `tone-${tone(vm.state)}`],
              'data-vm': vm.name,
              'data-owner': vm.owner ?? '',
              'data-role': vm.role,
              title: [`${vm.name}`, `role ${vm.role}`, `state ${vm.state}`, vm.vmSize && `${vm.vmSize} (${fmt(vm.cores)} cores, ${fmt(vm.memoryGB)} GB)`,
                vm.ip && `IP ${vm.ip}`, vm.pool && `pool ${vm.pool}`, vm.kubernetesVersion && `Kubernetes ${vm.kubernetesVersion}`,
                vm.joined !== undefined && (vm.joined ? 'joined' : 'not joined')].filter(Boolean).join('\n'),
            },
            h('span', { class: 'vm-name' }, vm.name),
            h('span', { class: 'vm-meta' }, `${vm.role} · `, h('span', { class: 'vm-state', 'data-testid': 'vm-state' }, vm.state)))))));
      }
      out.append(g);
    }
    return out;
  }

  // A cluster's nodes and pods from its Kubernetes API (names and states in the tooltip).
  function kubeCell(k) {
    if (!k) return '';
    const ready = k.nodes.filter((n) => n.ready).length;
    const title = [
      ...k.nodes.map((n) => `node ${n.name}: ${n.ready ? 'Ready' : 'NotReady'}`),
      ...k.podList.map((p) => `pod ${p.name}: ${p.phase}${p.node ? ` on ${p.node}` : ''}`),
      k.pods > k.podList.length ? `... and ${k.pods - k.podList.length} more pods` : '',
    ].filter(Boolean).join('\n');
    return h('span', { title }, `${ready}/${k.nodes.length} nodes Ready · ${k.runningPods}/${k.pods} pods Running`);
  }

  function ownersTable(site) {
    const owners = site.owners ?? [];
    const wrap = h('div', { class: 'block' }, h('h4', { class: 'sub-head' }, `Owners (${owners.length})`));
    if (!owners.length) {
      wrap.append(h('p', { class: 'empty small' }, 'Nothing owns VMs on this site.'));
      return wrap;
    }
    const rows = owners.map((o) => {
      const sw = h('span', { class: 'swatch owner-colour', 'aria-hidden': 'true' });
      sw.style.setProperty('--hue', String(hueOf(o.id)));
      return h('tr', { 'data-owner-row': o.id },
        h('th', { scope: 'row' }, h('span', { class: 'owner-cell' }, sw, h('span', { title: o.id }, o.name))),
        h('td', null, h('span', { title: o.type }, ownerKindLabel(o))),
        h('td', null, pill(o.state, { 'data-testid': 'owner-state' })),
        h('td', { class: 'state-text' }, o.stateText ?? ''),
        h('td', { class: 'num' }, fmt(o.vmCount)),
        h('td', { 'data-testid': 'owner-kube' }, kubeCell(o.kube)));
    });
    wrap.append(h('div', { class: 'table-wrap' },
      h('table', { class: 'data' },
        h('caption', { class: 'visually-hidden' }, `Owners on ${site.name}`),
        h('thead', null, h('tr', null, ['Name', 'Type', 'State', 'Why', 'VMs', 'Kubernetes'].map((c) => h('th', { scope: 'col', class: c === 'VMs' ? 'num' : null }, c)))),
        h('tbody', null, rows))));
    return wrap;
  }

  function networksTable(site) {
    const nets = site.logicalNetworks ?? [];
    const wrap = h('div', { class: 'block' }, h('h4', { class: 'sub-head' }, `Logical networks and IP pools (${nets.length})`));
    if (!nets.length) {
      wrap.append(h('p', { class: 'empty small' }, 'No logical networks on this site.'));
      return wrap;
    }
    const rows = nets.map((n) => {
      const total = num(n.usedIps) + num(n.freeIps);
      const pools = [...(n.ipPools ?? []).map((p) => `${p.start} – ${p.end}`), ...(n.vipPools ?? []).map((p) => `VIP ${p.start} – ${p.end}`)];
      return h('tr', { 'data-network': n.name },
        h('th', { scope: 'row' }, n.name, n.owner ? h('div', { class: 'muted small', title: n.owner }, `owner ${lastSegment(n.owner)}`) : null),
        h('td', null, n.addressPrefix ?? '', n.gateway ? h('div', { class: 'muted small' }, `gateway ${n.gateway}`) : null),
        h('td', null, n.vlan ?? '—'),
        h('td', null, n.dhcp ? 'DHCP' : 'Static'),
        h('td', null, pools.length ? h('ul', { class: 'plain' }, pools.map((p) => h('li', null, p))) : '—'),
        h('td', { class: 'use-cell' }, bar('IPs', n.usedIps, total, `${fmt(n.usedIps)} of ${fmt(total)} IPs used`, { compact: true, hideLabel: true })));
    });
    wrap.append(h('div', { class: 'table-wrap' },
      h('table', { class: 'data' },
        h('caption', { class: 'visually-hidden' }, `Logical networks on ${site.name}`),
        h('thead', null, h('tr', null, ['Name', 'Address prefix', 'VLAN', 'Addressing', 'IP pools', 'Use'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, rows))));
    return wrap;
  }

  // ---- render: resources -----------------------------------------------------------------------------------

  function renderResources() {
    const root = $('#resources');
    const subs = state?.subscriptions ?? [];
    if (!subs.length) {
      root.replaceChildren(emptyOrError('No subscriptions.'));
      return;
    }
    root.replaceChildren(...subs.map(subscriptionCard));
  }

  function subscriptionCard(sub) {
    const open = !ui.collapsedSubs.has(sub.subscriptionId);
    const subScope = `/subscriptions/${sub.subscriptionId}`;
    const card = h('article', { class: 'card sub', 'data-subscription': sub.subscriptionId },
      h('header', { class: 'sub-head-row' },
        h('button', { type: 'button', class: 'expander', 'data-action': 'toggle-sub', 'data-id': sub.subscriptionId, 'aria-expanded': String(open) },
          h('span', { class: 'chev', 'aria-hidden': 'true' }),
          h('span', { class: 'sub-name' }, sub.displayName || sub.subscriptionId)),
        h('span', { class: 'muted mono' }, sub.subscriptionId),
        pill(sub.state ?? 'Enabled'),
        h('span', { class: 'muted' }, `${plural(num(sub.resourceCount), 'subscription-level resource')} · ${plural(num(sub.resourceGroupCount ?? (sub.resourceGroups ?? []).length), 'resource group')}`)));
    if (!open) return card;
    if (!Array.isArray(sub.resourceGroups)) {
      card.append(h('p', { class: 'empty small' }, 'Loading resource groups…'));
      return card;
    }
    const groups = sub.resourceGroups;
    const rows = [];
    rows.push(...scopeRows({ scope: subScope, name: 'Subscription-level resources', location: '', provisioningState: '', resourceCount: sub.resourceCount ?? null, isSub: true }));
    for (const g of groups) rows.push(...scopeRows(g));
    card.append(h('div', { class: 'table-wrap' },
      h('table', { class: 'data groups' },
        h('caption', { class: 'visually-hidden' }, `Resource groups of ${sub.displayName || sub.subscriptionId}`),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Resource group'),
          h('th', { scope: 'col' }, 'Location'),
          h('th', { scope: 'col' }, 'Provisioning state'),
          h('th', { scope: 'col', class: 'num' }, 'Resources'))),
        h('tbody', null, rows))));
    if (!groups.length) card.append(h('p', { class: 'empty small' }, 'No resource groups in this subscription.'));
    if (num(sub.resourceGroupsTruncated)) card.append(h('p', { class: 'muted small' }, `${plural(num(sub.resourceGroupsTruncated), 'more resource group')} not listed (the first ${groups.length} by name are shown).`));
    return card;
  }

  function scopeRows(g) {
    const scope = g.scope ?? g.id;
    const open = ui.expandedScopes.has(scope);
    const row = h('tr', { class: ['group-row', g.isSub && 'sub-level'], 'data-scope-row': scope },
      h('th', { scope: 'row' },
        h('button', { type: 'button', class: 'expander', 'data-action': 'toggle-scope', 'data-scope': scope, 'aria-expanded': String(open) },
          h('span', { class: 'chev', 'aria-hidden': 'true' }),
          h('span', null, g.name))),
      h('td', null, g.location ?? ''),
      h('td', null, g.provisioningState ? pill(g.provisioningState) : ''),
      h('td', { class: 'num' }, g.resourceCount === null || g.resourceCount === undefined ? '' : h('span', { class: 'count-n' }, fmt(g.resourceCount), h('span', { class: 'narrow-only' }, ` ${num(g.resourceCount) === 1 ? 'resource' : 'resources'}`))));
    if (!open) return [row];
    return [row, h('tr', { class: 'detail-row' }, h('td', { colspan: 4 }, resourcesTable(scope)))];
  }

  function resourcesTable(scope) {
    const entry = resources.get(scope);
    if (!entry || (!entry.value && entry.loading)) {
      if (!entry) loadResources(scope);
      return h('p', { class: 'empty small' }, 'Loading resources…');
    }
    if (entry.error && !entry.value) return h('p', { class: 'empty small error' }, `Could not load the resources: ${describeError(entry.error)}`);
    const list = entry.value ?? [];
    if (!list.length) return h('p', { class: 'empty small' }, 'No resources here.');
    const rows = list.map((r) => {
      const ext = r.extendedLocation;
      const isCustom = ext && /customlocation/i.test(String(ext.type ?? '')) || /\/customLocations\//i.test(String(ext?.name ?? ''));
      const where = ext
        ? h('span', { class: 'where', title: ext.name }, lastSegment(ext.name), ' ', h('span', { class: 'tag' }, isCustom ? 'custom location' : String(ext.type ?? 'extended location')))
        : r.location ?? '';
      const selected = ui.jsonId === r.id;
      const name = h('button', { type: 'button', class: ['linkish', selected && 'selected'], 'data-action': 'show-resource', 'data-id': r.id, 'aria-pressed': String(selected), title: r.id }, r.name);
      const nameCell = h('th', { scope: 'row', class: `depth-${Math.min(num(r.depth), 4)}` }, num(r.depth) ? h('span', { class: 'tree', 'aria-hidden': 'true' }, '└ ') : null, name);
      return h('tr', { 'data-resource': r.id }, nameCell,
        h('td', { class: 'type' }, r.type),
        h('td', null, where),
        h('td', null, r.provisioningState ? pill(r.provisioningState) : ''));
    });
    return h('div', { class: 'inner' },
      labelCells(h('table', { class: 'data resources stack' },
        h('thead', null, h('tr', null, ['Name', 'Type', 'Location', 'Provisioning state'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, rows))),
      entry.truncated ? h('p', { class: 'muted small' }, 'The list was cut short; only the first resources are shown.') : null,
      entry.error ? h('p', { class: 'muted small error' }, `Last refresh failed: ${describeError(entry.error)}`) : null);
  }

  /**
   * Fetches one expandable part (a resource group's resources, an operation's tasks) into its cache entry,
   * once at a time, and re-renders its section when the answer (or the error) is in.
   */
  async function loadInto(cache, key, url, apply, section, render) {
    const entry = cache.get(key) ?? {};
    if (entry.loading) return;
    entry.loading = true;
    cache.set(key, entry);
    const version = state?.version;
    try {
      apply(entry, await getJson(url));
      entry.error = null;
    } catch (e) {
      entry.error = e;
    } finally {
      entry.loading = false;
      entry.version = version;
      rendered[section] = null;
      renderSection(section, null, render);
    }
  }

  function loadResources(scope) {
    return loadInto(resources, scope, `dashboard/resources?scope=${encodeURIComponent(scope)}`, (entry, out) => {
      entry.value = out.value ?? [];
      entry.truncated = Boolean(out.truncated);
    }, 'resources', renderResources);
  }

  // ---- render: operations ----------------------------------------------------------------------------------

  function opLabel(o) {
    if (o.kind === 'action') return o.action ? `action ${o.action}` : 'action';
    return o.kind ?? 'operation';
  }
  const capital = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

  function renderOperations() {
    const root = $('#operations');
    const ops = state?.operations?.value ?? [];
    const inProgress = num(state?.operations?.inProgress);
    $('#ops-summary').textContent = state ? `${inProgress} in progress · ${ops.length} shown` : '';
    if (!ops.length) {
      root.replaceChildren(emptyOrError('No operations yet.'));
      return;
    }
    const rows = [];
    for (const o of ops) {
      const open = ui.expandedOps.has(o.id);
      const pct = Math.max(0, Math.min(100, num(o.percentComplete)));
      const running = o.status === 'InProgress';
      const taskCounts = Object.entries(o.tasks ?? {}).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ');
      rows.push(h('tr', { class: ['op-row', `status-${String(o.status).toLowerCase()}`, o.held && 'is-held'], 'data-operation': o.id },
        h('th', { scope: 'row' },
          h('button', { type: 'button', class: 'expander', 'data-action': 'toggle-op', 'aria-expanded': String(open), 'aria-label': `${open ? 'Hide' : 'Show'} tasks of ${o.resourceName ?? o.id}` },
            h('span', { class: 'chev', 'aria-hidden': 'true' }),
            h('span', { class: 'op-res' },
              h('span', { class: 'op-name', title: o.resourceId }, o.resourceName || lastSegment(o.resourceId)),
              h('span', { class: 'muted small' }, o.resourceType ?? o.typeKey ?? '')))),
        h('td', null, capital(opLabel(o)), taskCounts ? h('div', { class: 'muted small' }, `tasks: ${taskCounts}`) : null),
        h('td', null, pill(o.status === 'InProgress' ? 'InProgress' : o.status, { 'data-testid': 'operation-status', class: running ? 'tone-busy' : null }),
          o.held ? pill('held', { 'data-testid': 'operation-held', class: 'tone-warn' }) : null),
        h('td', { class: 'progress-cell' }, bar('Percent complete', pct, 100, `${fmt(Math.round(pct))}%`, { compact: true, hideLabel: true, percent: true, failed: o.status === 'Failed' || o.status === 'Canceled' })),
        h('td', { class: 'time' }, h('time', { datetime: o.startTime, title: o.startTime }, fmtTime(o.startTime))),
        h('td', { class: 'time' }, o.endTime
          ? h('time', { datetime: o.endTime, title: o.endTime }, fmtTime(o.endTime), h('div', { class: 'muted small' }, fmtDuration(Date.parse(o.endTime) - Date.parse(o.startTime))))
          : h('span', { class: 'muted' }, running ? 'running' : '—')),
        h('td', { class: 'error-cell' }, o.error ? h('span', null, h('strong', null, o.error.code ?? 'Error'), ': ', o.error.message ?? '') : ''),
        h('td', { class: 'actions' }, running
          ? [o.held
              ? h('button', { type: 'button', class: 'btn small primary', 'data-action': 'release' }, 'Release')
              : h('button', { type: 'button', class: 'btn small', 'data-action': 'hold' }, 'Hold'),
            h('button', { type: 'button', class: 'btn small danger', 'data-action': 'cancel' }, 'Cancel')]
          : null)));
      if (open) rows.push(h('tr', { class: 'detail-row', 'data-operation-tasks': o.id }, h('td', { colspan: 8 }, tasksView(o))));
    }
    root.replaceChildren(h('div', { class: 'table-wrap' },
      labelCells(h('table', { class: 'data operations stack' },
        h('caption', { class: 'visually-hidden' }, 'Operations, newest first'),
        h('thead', null, h('tr', null, ['Resource', 'Operation', 'Status', 'Complete', 'Started', 'Ended', 'Error', 'Controls'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, rows)))));
  }

  /** Gives each body cell its column's name (data-label), so narrow screens can stack rows as cards. */
  function labelCells(table) {
    const heads = [...table.tHead.rows[0].cells].map((c) => c.textContent);
    for (const row of table.tBodies[0].rows) {
      if (row.classList.contains('detail-row')) continue;
      [...row.cells].forEach((c, i) => {
        c.setAttribute('data-label', heads[i] ?? '');
        if (c.tagName === 'TD' && c.childNodes.length) c.replaceChildren(h('div', { class: 'cell' }, ...c.childNodes));
      });
    }
    return table;
  }

  function paramsSummary(params) {
    if (!params || typeof params !== 'object') return '';
    const parts = [];
    const vm = params.vm;
    if (vm && typeof vm === 'object') parts.push(`VM ${vm.name ?? ''}${vm.role ? ` (${vm.role})` : ''}`);
    else if (typeof vm === 'string') parts.push(`VM ${vm}`);
    if (Array.isArray(params.vms)) parts.push(`VMs ${params.vms.map((v) => (typeof v === 'object' ? v?.name : v)).filter(Boolean).join(', ')}`);
    for (const [k, v] of Object.entries(params)) {
      if (k === 'vm' || k === 'vms' || k === 'site') continue;
      if (v === null || v === undefined) continue;
      if (typeof v === 'object') {
        if (!Array.isArray(v) && typeof v.name === 'string') parts.push(`${k} ${v.name}`);
        continue;
      }
      const s = String(v);
      if (/^vm_?name$/i.test(k)) {
        parts.push(`VM ${s}`);
        continue;
      }
      parts.push(`${k} ${k === 'owner' || s.startsWith('/subscriptions/') ? lastSegment(s) : s.length > 40 ? s.slice(0, 39) + '…' : s}`);
    }
    if (!parts.length && typeof params.site === 'string') parts.push(`site ${params.site}`);
    return parts.join(' · ');
  }

  const TASKS_SHOWN = 25;
  function tasksView(o) {
    const d = opDetails.get(o.id);
    if (!d || (!d.op && d.loading)) {
      if (!d) loadOpDetails(o.id);
      return h('p', { class: 'empty small' }, 'Loading tasks…');
    }
    if (d.error && !d.op) return h('p', { class: 'empty small error' }, `Could not load the tasks: ${describeError(d.error)}`);
    const all = d.op?.tasks ?? [];
    if (!all.length) return h('p', { class: 'empty small' }, 'This operation has no tasks.');
    const showAll = ui.allTasks.has(o.id);
    const tasks = showAll ? all : all.slice(0, TASKS_SHOWN);
    const deps = (list) => (list.length <= 2 ? list.join(', ') : `${list.slice(0, 2).join(', ')} and ${list.length - 2} more`);
    return h('div', { class: 'inner' },
      labelCells(h('table', { class: 'data tasks stack' },
        h('caption', { class: 'visually-hidden' }, `Tasks of operation ${o.id}`),
        h('thead', null, h('tr', null, ['Task', 'Kind', 'State', 'Details', 'Depends on', 'Duration at scale 1', 'Error'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, tasks.map((t) => h('tr', { 'data-task': t.id },
          h('th', { scope: 'row', class: 'mono' }, t.id),
          h('td', { class: 'mono' }, t.kind),
          h('td', null, pill(t.state, { 'data-testid': 'task-state', class: t.state === 'running' ? 'tone-busy' : null })),
          h('td', { title: JSON.stringify(t.params ?? {}) }, paramsSummary(t.params)),
          h('td', { class: 'mono small', title: (t.dependsOn ?? []).join('\n') || null }, deps(t.dependsOn ?? [])),
          h('td', null, t.durationMs !== undefined ? fmtDuration(t.durationMs) : ''),
          h('td', { class: 'error-cell' }, t.error ? `${t.error.code ?? 'Error'}: ${t.error.message ?? ''}` : '')))))),
      all.length > TASKS_SHOWN
        ? h('button', { type: 'button', class: 'btn small', 'data-action': 'toggle-all-tasks', 'aria-expanded': String(showAll) }, showAll ? `Show the first ${TASKS_SHOWN} tasks` : `Show all ${all.length} tasks`)
        : null,
      h('p', { class: 'muted small mono' }, `Operation ${o.id}`));
  }

  function loadOpDetails(id) {
    return loadInto(opDetails, id, `operations/${encodeURIComponent(id)}`, (entry, op) => {
      entry.op = op;
    }, 'operations', renderOperations);
  }


  /** After a new state: expanded operations, open resource lists and the JSON panel fetch again. */
  function refreshDetails() {
    if (!state) return;
    const listed = new Set((state.operations?.value ?? []).map((o) => o.id));
    for (const id of ui.expandedOps) {
      if (!listed.has(id)) continue; // gone from the list (e.g. after a restart): nothing to ask for
      const d = opDetails.get(id);
      if (d && !d.loading && d.version !== state.version) loadOpDetails(id);
    }
    for (const scope of ui.expandedScopes) {
      const r = resources.get(scope);
      if (r && !r.loading && r.version !== state.version) loadResources(scope);
    }
    if (ui.jsonId && jsonVersion !== state.version && !jsonLoading) loadJson(ui.jsonId, false);
  }

  // ---- JSON panel ------------------------------------------------------------------------------------------

  let jsonVersion = null;
  let jsonLoading = false;
  async function loadJson(id, focus = true) {
    ui.jsonId = id;
    saveUi();
    const panel = $('#json-panel');
    const body = $('#json-body');
    $('#json-title').textContent = lastSegment(id) || 'Resource';
    $('#json-id').textContent = id;
    if (panel.hidden) body.textContent = 'Loading…';
    panel.hidden = false;
    document.body.classList.add('json-open');
    markSelected();
    if (focus) $('#json-close').focus();
    jsonLoading = true;
    const version = state?.version;
    try {
      const r = await getJson(`dashboard/resource?id=${encodeURIComponent(id)}`);
      if (ui.jsonId !== id) return;
      const text = JSON.stringify(r, null, 2);
      if (body.textContent !== text) body.textContent = text;
      panel.dataset.state = 'ok';
    } catch (e) {
      if (ui.jsonId !== id) return;
      body.textContent = e instanceof ApiError && e.status === 404 ? `This resource no longer exists (${describeError(e)}).` : `Could not load the resource: ${describeError(e)}`;
      panel.dataset.state = 'error';
    } finally {
      jsonLoading = false;
      jsonVersion = version;
    }
  }
  function closeJson() {
    ui.jsonId = null;
    saveUi();
    $('#json-panel').hidden = true;
    document.body.classList.remove('json-open');
    markSelected();
  }
  function markSelected() {
    for (const b of $$('[data-action="show-resource"]')) {
      const on = b.dataset.id === ui.jsonId;
      b.classList.toggle('selected', on);
      b.setAttribute('aria-pressed', String(on));
    }
  }

  // ---- controls --------------------------------------------------------------------------------------------

  async function runControl(button, method, url, body, done) {
    const again = () => runControl(button.isConnected ? button : null, method, url, body, done);
    if (button) button.disabled = true;
    try {
      const out = await control(method, url, body, again);
      if (out) {
        if (done) done(out);
        refresh();
      }
      return out;
    } finally {
      if (button && button.isConnected) button.disabled = false;
    }
  }

  function onClick(ev) {
    const target = ev.target.closest('[data-action], [data-tab]');
    if (!target) return;
    if (target.dataset.tab) {
      selectTab(target.dataset.tab);
      return;
    }
    const action = target.dataset.action;
    const siteName = target.closest('[data-site]')?.getAttribute('data-site');
    const hostName = target.closest('[data-host]')?.getAttribute('data-host');
    const opId = target.closest('[data-operation]')?.getAttribute('data-operation') ?? target.closest('[data-operation-tasks]')?.getAttribute('data-operation-tasks');
    const enc = encodeURIComponent;
    switch (action) {
      case 'disconnect':
      case 'connect':
        runControl(target, 'POST', `fabric/sites/${enc(siteName)}/${action}`, undefined, () => announce(`Site ${siteName} ${action}ed`));
        break;
      case 'fail':
      case 'recover':
        runControl(target, 'POST', `fabric/sites/${enc(siteName)}/hosts/${enc(hostName)}/${action}`, undefined,
          () => announce(`Host ${hostName} ${action === 'fail' ? 'failed' : 'recovered'}`));
        break;
      case 'hold':
      case 'release':
      case 'cancel':
        runControl(target, 'POST', `operations/${enc(opId)}/${action}`, undefined,
          () => announce(`Operation ${action === 'hold' ? 'held' : action === 'release' ? 'released' : 'cancel requested'}`));
        break;
      case 'toggle-site':
        toggle(ui.collapsedSites, siteName);
        render();
        break;
      case 'toggle-sub':
        toggle(ui.collapsedSubs, target.dataset.id);
        rendered.resources = null;
        render();
        break;
      case 'toggle-scope':
        if (toggle(ui.expandedScopes, target.dataset.scope)) loadResources(target.dataset.scope);
        rendered.resources = null;
        render();
        break;
      case 'toggle-op':
        if (toggle(ui.expandedOps, opId)) loadOpDetails(opId);
        rendered.operations = null;
        render();
        break;
      case 'toggle-all-tasks':
        toggle(ui.allTasks, opId);
        rendered.operations = null;
        render();
        break;
      case 'show-resource':
        if (ui.jsonId === target.dataset.id && !$('#json-panel').hidden) closeJson();
        else loadJson(target.dataset.id);
        break;
      case 'close-json':
        closeJson();
        break;
      case 'copy-json':
        navigator.clipboard?.writeText($('#json-body').textContent).then(() => announce('Copied'), () => showMessage('Could not copy to the clipboard.', 'info'));
        break;
      case 'sign-out':
        auth.clear();
        renderAuth();
        announce('Signed out');
        break;
      case 'show-sign-in':
        showSignIn();
        break;
      case 'dismiss-message':
        clearMessage();
        break;
      default:
        break;
    }
  }
  function toggle(set, key) {
    let added;
    if (set.has(key)) {
      set.delete(key);
      added = false;
    } else {
      set.add(key);
      added = true;
    }
    saveUi();
    return added;
  }

  function wire() {
    document.addEventListener('click', onClick);
    $('.tabs').addEventListener('keydown', (ev) => {
      const i = TABS.indexOf(ui.tab);
      let next = null;
      if (ev.key === 'ArrowRight') next = TABS[(i + 1) % TABS.length];
      else if (ev.key === 'ArrowLeft') next = TABS[(i + TABS.length - 1) % TABS.length];
      else if (ev.key === 'Home') next = TABS[0];
      else if (ev.key === 'End') next = TABS[TABS.length - 1];
      if (next) {
        ev.preventDefault();
        selectTab(next, true);
      }
    });
    window.addEventListener('hashchange', () => selectTab(location.hash.slice(1)));
    document.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && !$('#json-panel').hidden) closeJson();
    });
    $('#all-regions').addEventListener('change', (ev) => {
      ui.allRegions = ev.target.checked;
      saveUi();
      refresh(true);
    });
    $('#signin-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      signIn(ev.target);
    });
    const tsInput = $('#time-scale-input');
    tsInput.addEventListener('input', () => (tsInput.dataset.dirty = 'true'));
    $('#time-scale-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const raw = tsInput.value.trim();
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v) || v < 0) {
        showMessage('The time scale must be a number of 0 or more (1 = real time, 0.01 = a hundred times faster, 0 = instant).');
        return;
      }
      runControl(ev.target.querySelector('[data-action="set-time-scale"]'), 'PUT', 'operations/time-scale', { timeScale: v }, (out) => {
        tsInput.dataset.dirty = 'false';
        if (state && typeof out?.timeScale === 'number') state.timeScale = out.timeScale;
        renderTimeScale();
        announce(`Time scale set to ${out?.timeScale ?? v}`);
      });
    });
  }

  // ---- start -----------------------------------------------------------------------------------------------

  function start() {
    wire();
    selectTab(ui.tab);
    setLive('offline');
    render();
    loadHealth();
    refresh();
    connectEvents();
    if (ui.jsonId) loadJson(ui.jsonId, false);
    // Keep the sign-in state honest when a token expires while the page sits open.
    setInterval(renderAuth, 30000);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
