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
	422: 'Bird rejected a field of the request; the details above name it.',
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

/** Removes the access key from any text that might echo it. */
export function redact(text: string, secret: string | undefined): string {
	if (!secret || secret.length < 4) return text;
	return text.split(secret).join('***');
}

/** A copy of `value` with the access key removed from every string in it, keys included, at any depth. */
export function redactDeep<T>(value: T, secret: string | undefined): T {
	if (typeof value === 'string') return redact(value, secret) as T;
	if (Array.isArray(value)) return value.map((entry: unknown) => redactDeep(entry, secret)) as T;
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value as Record<string, unknown>).map(([key, entry]) => [redact(key, secret), redactDeep(entry, secret)]),
		) as T;
	}
	return value;
}

function detailLines(details: unknown): string[] {
	if (!details || typeof details !== 'object') return [];
	return Object.entries(details as Record<string, unknown>).map(([field, problems]) => {
		const text = Array.isArray(problems) ? problems.map(String).join('; ') : JSON.stringify(problems);
		return `${field}: ${text}`;
	});
}

/** A NodeApiError that carries Bird's code, message and per-field details, and never the key. */
export function birdApiError(
	node: INode,
	response: { statusCode: number; body: unknown },
	context: { itemIndex?: number; attempts: number; secret?: string; storage?: boolean },
): NodeApiError {
	const body: BirdErrorBody =
		response.body && typeof response.body === 'object' ? (response.body as BirdErrorBody) : {};
	const raw = typeof response.body === 'string' ? response.body.slice(0, 300) : '';
	// A pre-signed upload goes to storage (S3), which answers in its own words, often XML.
	const who = context.storage ? "Bird's upload storage" : 'Bird';
	const message = (!context.storage && body.message) || (raw ? `${who} answered ${response.statusCode}: ${raw}` : `${who} answered ${response.statusCode}`);
	const lines = [
		body.code ? `Bird error code: ${body.code}` : '',
		...detailLines(body.details),
		(context.storage ? STORAGE_HINTS : HINTS)[response.statusCode] ?? (response.statusCode >= 500 ? `${who} had a server error.` : ''),
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
	context: { itemIndex?: number; attempts: number; secret?: string; outcomeUnknown: boolean; storage?: boolean; baseUrl?: string },
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
	return error;
}
