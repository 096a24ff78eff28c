import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { panelText } from '../validation';

/** Bird's error body: `{code, message}`, plus `details` (field → messages) on a 422. */
interface BirdErrorBody {
	code?: string;
	message?: string;
	details?: Record<string, unknown>;
}

const HINTS: Record<number, string> = {
	401: 'Bird did not accept the access key: check the Bird credential.',
	403: 'The access key may not do this: check its access policy in Bird.',
	404: 'Bird does not know this workspace, channel or resource: check the IDs.',
	409: 'Bird refused the request because of a conflicting state.',
	422: 'Bird found the request invalid and did not process it. It named no field.',
	429: "Bird's rate limit held after every retry: lower Delivery › Max Requests per Second or raise Max Retries.",
};

/** What storage's refusals usually mean (storage is S3 or alike, not Bird). */
const STORAGE_HINTS: Record<number, string> = {
	400: 'Storage refused the upload form: its fields must go exactly as Bird handed them out, with the file last.',
	403: 'Storage refused the upload: the upload slot may have expired or been used, or its fields were changed.',
	413: 'The file is larger than storage accepts.',
};

/**
 * Thrown for a request never sent because the node was stopping (an earlier item failed). A
 * NodeApiError, so that wrapping it in one (as n8n's rules ask of rethrown errors) hands it back
 * unchanged.
 */
export class NotSent extends NodeApiError {
	constructor(node: INode) {
		const message = 'Not sent: an earlier item failed and On Error is set to stop';
		super(node, { message }, { message });
	}
}

/**
 * Errors of requests that may have reached Bird although no answer said so (a connection broken
 * after the request went out, a timeout, a gateway's 502/504): the message may have arrived, and
 * it is never sent again, neither by the transport's retries nor by n8n's Retry On Fail.
 */
const uncertain = new WeakSet<object>();
export function markUncertain<E extends object>(error: E): E {
	uncertain.add(error);
	return error;
}
export function isUncertain(error: unknown): boolean {
	return !!error && typeof error === 'object' && uncertain.has(error);
}

/** The access key, or every form of it the package may send or a server may echo. */
export type Secret = string | readonly string[] | undefined;

/**
 * Every form of the access key that can appear in text: as saved (surrounding whitespace
 * included), as sent (trimmed, in the Authorization header), and as it reads inside JSON or a
 * URL. Longest first, so that a longer form is replaced before a shorter one inside it.
 */
export function secretForms(key: string | undefined): string[] {
	if (!key) return [];
	const trimmed = key.trim();
	const forms = [key, trimmed, JSON.stringify(trimmed).slice(1, -1), encodeURIComponent(trimmed)];
	return [...new Set(forms)].filter((form) => form.length >= 4).sort((a, b) => b.length - a.length);
}

/** Removes the access key, in every form, from any text that might echo it. */
export function redact(text: string, secret: Secret): string {
	const forms = typeof secret === 'string' ? secretForms(secret) : (secret ?? []);
	let redacted = text;
	for (const form of forms) redacted = redacted.split(form).join('***');
	return redacted;
}

/** A copy of `value` with the access key removed from every string in it, keys included, at any depth. */
export function redactDeep<T>(value: T, secret: Secret): T {
	if (typeof value === 'string') return redact(value, secret) as T;
	if (Array.isArray(value)) return value.map((entry: unknown) => redactDeep(entry, secret)) as T;
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value as Record<string, unknown>).map(([key, entry]) => [redact(key, secret), redactDeep(entry, secret)]),
		) as T;
	}
	return value;
}

/**
 * Where a field of Bird's request is set in the nodes, for the fields Bird's 422 details name
 * (`template.locale`, `receiver.contacts[0].identifierValue`…; a batch's and a new
 * conversation's first message have a prefix).
 */
const FIELD_LABELS: Array<[RegExp, string]> = [
	[/^(receiver|recipients|participants)\b/, 'Recipient'],
	[/^template\.locale/, 'Template Locale'],
	[/^template\.version/, 'Template Version'],
	[/^template\.(parameters|variables)/, 'Template Variables'],
	[/^template\b/, 'Template'],
	[/^meta\.email|^body\.html\.metadata\.subject/, 'Subject'],
	[/^body\.\w+\.(text)$/, 'Text'],
	[/^body\.\w+\.actions/, 'Buttons'],
	[/^body\b/, 'the message (Message Type and its fields)'],
	[/^scheduledFor/, 'Options › Scheduled For'],
	[/^tags/, 'Options › Tags'],
	[/^reference/, 'Options › Reference'],
	[/^replyTo/, 'Options › Reply To Message ID'],
	[/^validity/, 'Options › Validity (Seconds)'],
	[/^participant(Id|Type)/, 'Sender'],
	[/^name$/, 'Conversation Name'],
];

/** The node field a Bird field path is set in, or undefined when Bird names a field no node sets. */
export function nodeFieldOf(path: string): string | undefined {
	const bare = path.replace(/^(messageRequests\[\d+\]|initialMessage)\./, '');
	return FIELD_LABELS.find(([pattern]) => pattern.test(bare))?.[1];
}

/** Bird's per-field details as sentences: `template.locale (Template Locale): is not available`. */
export function detailLines(details: unknown): string[] {
	if (!details || typeof details !== 'object') return [];
	return Object.entries(details as Record<string, unknown>).map(([field, problems]) => {
		const text = Array.isArray(problems) ? problems.map(String).join('; ') : typeof problems === 'string' ? problems : JSON.stringify(problems);
		const label = nodeFieldOf(field);
		return `${field}${label ? ` (${label})` : ''}: ${text}`;
	});
}

/** Outside WhatsApp's 24-hour window only templates arrive; Bird's and WhatsApp's words for that refusal. */
const WINDOW_CLOSED = /service ?window|re-?engagement|131047|outside (of )?the (allowed )?window|24[- ]hour/i;
const WINDOW_HINT =
	"WhatsApp delivers free-form messages only within 24 hours of the contact's last message. Set If Service Window Is Closed to Send a Template Instead (or Fail the Item), or send this contact a template.";

/** Whether an error body says the WhatsApp window was closed. */
export function saysWindowClosed(body: { code?: unknown; message?: unknown; details?: unknown; failure?: unknown }): boolean {
	return WINDOW_CLOSED.test([body.code, body.message, JSON.stringify(body.details ?? ''), JSON.stringify(body.failure ?? '')].join(' '));
}

/** A NodeApiError that carries Bird's code, message and per-field details, and never the key. */
export function birdApiError(
	node: INode,
	response: { statusCode: number; body: unknown },
	context: { itemIndex?: number; attempts: number; secret?: Secret; storage?: boolean; notFromBird?: boolean },
): NodeApiError {
	const body: BirdErrorBody =
		response.body && typeof response.body === 'object' ? (response.body as BirdErrorBody) : {};
	const raw = typeof response.body === 'string' ? response.body.slice(0, 300) : '';
	// A pre-signed upload goes to storage (S3), which answers in its own words, often XML.
	const who = context.storage ? "Bird's upload storage" : 'Bird';
	const fields = context.storage ? [] : detailLines(body.details);
	// The first field Bird named goes into the message itself: n8n's error output keeps only the message.
	const stated = (!context.storage && body.message) || (raw ? `${who} answered ${response.statusCode}: ${raw}` : `${who} answered ${response.statusCode}`);
	const message = context.notFromBird
		? `${stated.replace(/[.\s]+$/, '').slice(0, 240)}; the message was not sent again`
		: fields.length
			? `${stated.replace(/[.\s]+$/, '')}: ${fields[0]}${fields.length > 1 ? ` (and ${fields.length - 1} more)` : ''}`
			: stated;
	const hint = context.notFromBird
		? `This answer did not come from Bird itself (Bird answers errors with {code, message}) but from something in front of it, such as a gateway or proxy that gave up waiting. The message may have reached Bird, so it was not sent again (a message must never go out twice). Check in Bird whether it arrived before you retry.`
		: response.statusCode === 422 && fields.length
			? `Bird did not process the request: fix ${fields.length === 1 ? 'that field' : 'those fields'} and run the node again.`
			: (context.storage ? STORAGE_HINTS : HINTS)[response.statusCode] ?? (response.statusCode >= 500 ? `${who} had a server error.` : '');
	const lines = [
		body.code ? `Bird error code: ${body.code}` : '',
		...fields,
		hint,
		!context.storage && saysWindowClosed(body) ? WINDOW_HINT : '',
		context.attempts > 1 ? `Tried ${context.attempts} times.` : '',
	].filter(Boolean);
	const safe = (text: string) => redact(text, context.secret);
	// n8n stores, shows and logs every part of the error object: Bird (or a proxy) may echo the key anywhere in it.
	const errorBody: JsonObject = redactDeep(
		{
			code: body.code ?? null,
			message,
			details: (body.details as JsonObject | undefined) ?? null,
		},
		context.secret,
	);
	return new NodeApiError(node, errorBody, {
		message: safe(message),
		// Redacted before escaping: an escaped key would no longer be found.
		description: panelText(...lines.map(safe)),
		httpCode: String(response.statusCode),
		itemIndex: context.itemIndex,
	});
}

/** A request that got no HTTP answer (refused, reset, timed out). */
export function birdConnectionError(
	node: INode,
	failure: { code?: string; message: string; timeoutMs?: number },
	context: { itemIndex?: number; attempts: number; secret?: Secret; outcomeUnknown: boolean; storage?: boolean; baseUrl?: string },
): NodeApiError {
	const safe = (text: string) => redact(text, context.secret);
	const who = context.storage ? "Bird's upload storage" : 'Bird';
	// No connection at all (refused, unknown host): most often a wrong Base URL in the credential.
	const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(failure.code ?? '');
	const description = panelText(
		unreachable && context.baseUrl ? `Check the Base URL of the Bird credential: ${context.baseUrl} (Bird's is https://api.bird.com).` : '',
		context.outcomeUnknown
			? 'The request may have reached Bird before the connection failed, so it was not sent again (a message must never go out twice). Check in Bird whether it arrived before you retry.'
			: `The request got no answer from ${who}; it is safe to run again.`,
		context.attempts > 1 ? `Tried ${context.attempts} times.` : '',
	);
	const error = new NodeApiError(
		node,
		{ code: failure.code ?? null, message: safe(failure.message) },
		{ description: safe(description), httpCode: failure.code ?? 'none', itemIndex: context.itemIndex },
	);
	// NodeApiError swaps in its own sentence for system error codes; ours says what happened to the message.
	const code = failure.code ?? 'no answer';
	const what =
		failure.timeoutMs !== undefined
			? `${who} did not answer within ${failure.timeoutMs} ms (${code})`
			: context.outcomeUnknown
				? `The connection to ${who} broke before it answered (${code})`
				: `Could not reach ${who} (${code})`;
	error.message = safe(context.outcomeUnknown ? `${what}; the message was not sent again` : what);
	return context.outcomeUnknown ? markUncertain(error) : error;
}
