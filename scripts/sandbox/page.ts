/**
 * The sandbox's page at /_sandbox: a chat view in which you play a customer (type a message,
 * watch the workflow answer), the webhook deliveries with a button that re-sends the last one
 * (as Bird's retries do), and every message the sandbox received. The page draws itself from
 * the JSON control endpoints and refreshes every second.
 */
import type { BirdSandbox, Contact, SentMessage } from './server';
import { SANDBOX } from './server';
import { findTemplate } from './templates';

type Json = Record<string, unknown>;

export interface ChatLine {
	id: string;
	from: 'customer' | 'business';
	at: string;
	status: string;
	kind: string;
	/** What the customer's phone would show, in words. */
	text: string;
	/** A business message's reply buttons, which the person playing the customer can tap. */
	buttons?: string[];
}

/** The words a message shows on the customer's phone. */
export function describe(message: Json): { kind: string; text: string } {
	const template = message.template as Json | undefined;
	if (template) {
		const values = ((template.parameters ?? []) as Json[]).map((parameter) => `${String(parameter.key)}: ${String(parameter.value)}`);
		const name = String(findTemplate(String(template.projectId))?.project.name ?? template.projectId);
		return { kind: 'template', text: `Template "${name}" (${String(template.locale)})${values.length ? ` with ${values.join(', ')}` : ''}` };
	}
	const body = (message.body ?? {}) as Json;
	const kind = String(body.type ?? 'unknown');
	const content = (body[kind] ?? {}) as Json;
	const list = (value: unknown) => (Array.isArray(value) ? (value as Json[]) : []);
	// Reply buttons are drawn as buttons to tap; links and the like stay words in brackets.
	const buttons = list(content.actions)
		.filter((action) => !['reply', 'postback'].includes(String(action.type)))
		.map((action) => {
			const inner = (action[String(action.type)] ?? {}) as Json;
			return `[${String(inner.text ?? action.type)}]`;
		});
	const caption = typeof content.text === 'string' ? content.text : '';
	const parts: string[] = [];
	switch (kind) {
		case 'image':
			parts.push(...list(content.images).map((image) => `🖼 ${String(image.mediaUrl)}`));
			break;
		case 'file':
			parts.push(...list(content.files).map((file) => `📄 ${String(file.filename ?? file.mediaUrl)} (${String(file.contentType)})`));
			break;
		case 'location': {
			const at = (content.coordinates ?? {}) as Json;
			const place = (content.location ?? {}) as Json;
			parts.push(`📍 ${[place.label, place.address].filter(Boolean).join(', ')} (${String(at.latitude)}, ${String(at.longitude)})`);
			break;
		}
		case 'list':
			parts.push(...list(content.items).flatMap((section) => list(section.actions).map((row) => `• ${String((row.postback as Json | undefined)?.text)}`)));
			break;
		case 'carousel':
			parts.push(...list(content.items).map((card) => `▭ ${String(card.title)}`));
			break;
		case 'html':
			parts.push(`✉ ${String((content.metadata as Json | undefined)?.subject ?? '')}`);
			break;
	}
	return { kind, text: [caption, ...parts, buttons.join(' ')].filter(Boolean).join('\n') };
}

/** The contact's conversation with one channel, oldest first, and the state of their service window. */
export function chatThread(sandbox: BirdSandbox, channelId: string, contact: Contact | undefined): Json {
	// The people to chat as: the seeded customers and whoever has written in, not every number a bulk send reached.
	const wrote = new Set(sandbox.messages.filter((message) => message.direction === 'incoming').map((message) => ((message.sender as Json | undefined)?.contact as Json | undefined)?.id));
	const seeded = new Set<string>([SANDBOX.openContact.id, SANDBOX.closedContact.id]);
	const contacts = sandbox.contacts
		.filter((known) => seeded.has(known.id) || wrote.has(known.id) || known.id === contact?.id)
		.map((known) => ({ id: known.id, name: known.name, identifier: known.identifiers[0]?.value }));
	if (!contact) return { contact: null, contacts, window: null, lines: [] };
	const identifiers = new Set(contact.identifiers.map((identifier) => identifier.value));
	const conversations = new Set(
		[...sandbox.conversations.values()]
			.filter((conversation) => ((conversation.featuredParticipants ?? []) as Json[]).some((participant) => participant.id === contact.id))
			.map((conversation) => conversation.id),
	);
	const mine = (message: SentMessage) => {
		if (message.channelId !== channelId) return false;
		if (message.direction === 'incoming') return ((message.sender as Json | undefined)?.contact as Json | undefined)?.id === contact.id;
		if (conversations.has(message.conversationId)) return true;
		const receivers = (((message.receiver as Json | undefined)?.contacts ?? []) as Json[]).map((receiver) => String(receiver.identifierValue));
		return receivers.some((value) => identifiers.has(value)) || ((message.contactIds ?? []) as unknown[]).includes(contact.id);
	};
	const tappable = (message: SentMessage) => {
		const body = (message.body ?? {}) as Json;
		const actions = (((body[String(body.type)] ?? {}) as Json).actions ?? []) as Json[];
		return actions.filter((action) => ['reply', 'postback'].includes(String(action.type))).map((action) => String(((action[String(action.type)] ?? {}) as Json).text ?? ''));
	};
	const lines: ChatLine[] = sandbox.messages.filter(mine).map((message) => ({
		id: message.id,
		from: message.direction === 'incoming' ? 'customer' : 'business',
		at: message.createdAt,
		status: String(message.status ?? ''),
		...describe(message),
		...(message.direction === 'outgoing' && tappable(message).length ? { buttons: tappable(message) } : {}),
	}));
	const window = sandbox.windows.get(`${channelId}|${contact.id}`);
	const now = Date.now();
	return {
		contact: { id: contact.id, name: contact.name, identifier: contact.identifiers[0]?.value },
		contacts,
		window: {
			open: window === 'permanent' || (typeof window === 'number' && window > now),
			expiresAt: typeof window === 'number' ? new Date(window).toISOString() : null,
		},
		lines,
	};
}

/** The page's skeleton; its script draws the rest from the JSON endpoints. */
export function sandboxPage(): string {
	return `<!doctype html><meta charset="utf-8"><title>Bird sandbox</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em 2em;color:#1d1d1f;background:#fafafa}
h1{margin:0 0 .2em}h2{margin:1.4em 0 .5em;font-size:17px}.muted{color:#666}
.chat{display:flex;gap:1.5em;align-items:flex-start}
.phone{width:420px;border:1px solid #ccc;border-radius:14px;background:#e5ddd5;display:flex;flex-direction:column;height:520px}
.phone header{background:#075e54;color:#fff;padding:10px 14px;border-radius:14px 14px 0 0}
.thread{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:6px}
.bubble{max-width:78%;padding:6px 9px;border-radius:8px;white-space:pre-wrap;box-shadow:0 1px 1px rgba(0,0,0,.1)}
.customer{align-self:flex-end;background:#dcf8c6}.business{align-self:flex-start;background:#fff}
.bubble small{display:block;color:#777;font-size:11px;margin-top:2px}
.kind{font-size:11px;text-transform:uppercase;color:#075e54;font-weight:600}
.taps{display:flex;flex-direction:column;gap:4px;margin-top:6px}.taps button{border:0;border-top:1px solid #eee;background:#fff;color:#00a5f4;font-weight:600;padding:6px}
.bubble a{color:#027eb5;word-break:break-all}.media{display:flex;gap:6px;padding:0 8px 8px;background:#f0f0f0}.media button{font-size:12px}
form{display:flex;gap:6px;padding:8px;border-top:1px solid #ccc;background:#f0f0f0;border-radius:0 0 14px 14px}
form input[type=text]{flex:1;padding:7px;border:1px solid #bbb;border-radius:16px}
button{padding:6px 12px;border-radius:6px;border:1px solid #888;background:#fff;cursor:pointer}
.side{max-width:460px;line-height:1.5}.badge{padding:2px 8px;border-radius:10px;color:#fff;font-size:12px}
.open{background:#25a244}.closed{background:#c0392b}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
code{font-size:12px;word-break:break-all}
</style>
<h1>Bird sandbox</h1>
<p class="muted">Workspace ${SANDBOX.workspaceId}, organization ${SANDBOX.organizationId}. JSON: <a href="/_sandbox/messages">messages</a>, <a href="/_sandbox/deliveries">deliveries</a>, <a href="/_sandbox/state">state</a>.</p>
<h2>Chat as a customer (WhatsApp channel "Support WhatsApp")</h2>
<div class="chat">
 <div class="phone">
  <header><b id="who">Pick a contact</b><div id="window" style="font-size:12px"></div></header>
  <div class="thread" id="thread"></div>
  <form id="compose"><input type="text" id="text" placeholder="Type a message as the customer" autocomplete="off"><button>Send</button></form>
  <div class="media"><span class="muted" style="font-size:12px;align-self:center">Send as the customer:</span><button type="button" data-media="image">📷 Photo</button><button type="button" data-media="voice">🎤 Voice note</button><button type="button" data-media="pdf">📄 PDF</button></div>
 </div>
 <div class="side">
  <p><label>Customer: <select id="contact"></select></label></p>
  <p><label>or another number: <input id="number" placeholder="+31611112222" size="14"></label></p>
  <p><label><input type="checkbox" id="late"> Handle it 25 hours late (the window has closed by then)</label></p>
  <p class="muted">Sending posts to <code>/_sandbox/inbound</code>: the customer's window opens, the message joins their conversation, and Bird's webhooks fire (signed) to every subscribed trigger. With <code>npm start</code>, the workflow "Bird: answer incoming messages" answers here: free-form when the window is open, the template when it is closed.</p>
  <p class="muted">Each webhook delivery below can be sent again, as Bird retries one that got no 2xx: the same event, with its first timestamp and signature. The trigger acknowledges a repeat and starts nothing. A question with buttons (Send and Wait) can be answered by tapping them, or by typing.</p>
 </div>
</div>
<h2>Webhook deliveries</h2><table id="deliveries"></table>
<h2>Messages (newest first)</h2><table id="messages"></table>
<script>
const $ = (id) => document.getElementById(id);
const cell = (row, text, tag = 'td') => { const el = document.createElement(tag); el.textContent = text; row.appendChild(el); return el; };
let chosen = new URLSearchParams(location.search).get('contact') || '${SANDBOX.openContact.id}';
// A time of today reads as a time; any other day gets its date, so a message handled 25 hours late does not read as the newest.
const when = (at) => { const d = new Date(at); return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString(); };
async function json(url, options) { const res = await fetch(url, options); return res.json(); }
async function drawChat() {
  const chat = await json('/_sandbox/chat?contactId=' + encodeURIComponent(chosen));
  const select = $('contact');
  if (select.options.length !== chat.contacts.length) {
    select.textContent = '';
    for (const c of chat.contacts) { const o = document.createElement('option'); o.value = c.id; o.textContent = c.name + ' (' + c.identifier + ')'; select.appendChild(o); }
  }
  select.value = chosen;
  $('who').textContent = chat.contact ? chat.contact.name + ' · ' + chat.contact.identifier : 'Pick a contact';
  const w = $('window'); w.textContent = '';
  if (chat.window) { const b = document.createElement('span'); b.className = 'badge ' + (chat.window.open ? 'open' : 'closed'); b.textContent = chat.window.open ? 'window open' : 'window closed'; w.appendChild(b); if (chat.window.expiresAt) w.appendChild(document.createTextNode((chat.window.open ? ' until ' : ' since ') + new Date(chat.window.expiresAt).toLocaleString())); }
  const thread = $('thread'); const atEnd = thread.scrollTop + thread.clientHeight >= thread.scrollHeight - 5; thread.textContent = '';
  for (const line of chat.lines) {
    const b = document.createElement('div'); b.className = 'bubble ' + line.from; b.dataset.kind = line.kind;
    if (line.from === 'business' && line.kind !== 'text') { const k = document.createElement('div'); k.className = 'kind'; k.textContent = line.kind; b.appendChild(k); }
    // Links become clickable (Send and Wait's links open this n8n's pages).
    for (const part of line.text.split(/(https?:\\/\\/\\S+)/)) {
      if (/^https?:\\/\\//.test(part)) { const a = document.createElement('a'); a.href = part; a.target = '_blank'; a.textContent = part; b.appendChild(a); }
      else b.appendChild(document.createTextNode(part));
    }
    if (line.buttons) {
      const taps = document.createElement('div'); taps.className = 'taps';
      for (const label of line.buttons) {
        const t = document.createElement('button'); t.type = 'button'; t.textContent = label;
        t.addEventListener('click', async () => { await fetch('/_sandbox/tap', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messageId: line.id, button: label }) }); drawChat(); drawTables(); });
        taps.appendChild(t);
      }
      b.appendChild(taps);
    }
    const s = document.createElement('small'); s.textContent = when(line.at) + ' · ' + line.status; b.appendChild(s);
    thread.appendChild(b);
  }
  if (atEnd) thread.scrollTop = thread.scrollHeight;
}
async function drawTables() {
  const deliveries = (await json('/_sandbox/deliveries')).results.slice(-15).reverse();
  const d = $('deliveries'); d.textContent = ''; const h = document.createElement('tr'); ['Event', 'To', 'Attempts: HTTP status', 'Last answer', ''].forEach((t) => cell(h, t, 'th')); d.appendChild(h);
  for (const x of deliveries) {
    const r = document.createElement('tr'); cell(r, x.event); cell(r, x.url); cell(r, x.attempts.map((a) => a.status).join(', ')); cell(r, x.attempts.length ? x.attempts[x.attempts.length - 1].answer : '');
    const b = document.createElement('button'); b.type = 'button'; b.textContent = 'Send again'; b.addEventListener('click', async () => { await fetch('/_sandbox/redeliver', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requestId: x.requestId }) }); drawTables(); });
    cell(r, '').appendChild(b); d.appendChild(r);
  }
  const messages = (await json('/_sandbox/messages')).results.slice(-30).reverse();
  const m = $('messages'); m.textContent = ''; const mh = document.createElement('tr'); ['When', 'Direction', 'To / from', 'Content', 'Status'].forEach((t) => cell(mh, t, 'th')); m.appendChild(mh);
  for (const x of messages) { const r = document.createElement('tr'); cell(r, x.createdAt); cell(r, x.direction); cell(r, JSON.stringify(x.receiver || x.recipients || x.sender || '')); cell(r, JSON.stringify(x.body || x.template || '')); cell(r, x.status || ''); m.appendChild(r); }
}
$('contact').addEventListener('change', (e) => { chosen = e.target.value; $('number').value = ''; drawChat(); });
for (const button of document.querySelectorAll('[data-media]')) {
  button.addEventListener('click', async () => {
    const chat = await json('/_sandbox/chat?contactId=' + encodeURIComponent(chosen));
    const number = $('number').value.trim() || (chat.contact && chat.contact.identifier);
    const sent = await json('/_sandbox/inbound', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifierValue: number, media: button.dataset.media, text: $('text').value.trim() }) });
    $('text').value = '';
    if (sent.sender) chosen = sent.sender.contact.id;
    drawChat(); drawTables();
  });
}
$('compose').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('text').value.trim(); if (!text) return;
  const chat = await json('/_sandbox/chat?contactId=' + encodeURIComponent(chosen));
  const number = $('number').value.trim() || (chat.contact && chat.contact.identifier);
  $('text').value = '';
  const sent = await json('/_sandbox/inbound', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifierValue: number, text, late: $('late').checked }) });
  if (sent.sender) chosen = sent.sender.contact.id;
  $('late').checked = false;
  drawChat(); drawTables();
});
drawChat(); drawTables();
setInterval(() => { drawChat(); drawTables(); }, 1000);
</script>`;
}
