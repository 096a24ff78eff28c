import type {
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	ICredentialDataDecryptedObject,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { BIRD_RATE_LIMITS, CREDENTIAL_TYPE, DEFAULT_BASE_URL, ORGANIZATION_ID_HELP } from '../constants';
import { panelText, PATTERNS, settingInRange } from '../validation';
import { birdApiError, birdConnectionError, markUncertain, NotSent, redact } from './errors';
import { KeyedRegistry, pause, RateLimiter, Semaphore } from './pacing';

export interface BirdCredentials {
	apiKey: string;
	workspaceId: string;
	/** Only Bird's webhook subscriptions need it (paths under /organizations/{organizationId}). */
	organizationId?: string;
	/** The access key's participant ID in conversations; Reply sends as it. */
	accessKeyId?: string;
	baseUrl?: string;
	/** How many n8n processes send with this workspace at once (queue mode); each paces at its share. */
	processes?: number;
}

/** How one node spends its share of Bird's rate limit; see descriptions/delivery.ts. */
export interface DeliverySettings {
	maxRetries: number;
	retryDelay: number;
	maxRequestsPerSecond: number;
	maxConcurrent: number;
	/** How long to wait for Bird's answer before giving up on the attempt. */
	timeout: number;
}

export const DEFAULT_DELIVERY: DeliverySettings = {
	maxRetries: 5,
	retryDelay: 1000,
	maxRequestsPerSecond: 0,
	maxConcurrent: 0,
	timeout: 30_000,
};

/**
 * What the editor's lookups use (channel and template lists, loaded options): someone is waiting
 * for an answer, so an unreachable Bird is reported within seconds, not after five backoffs.
 */
export const EDITOR_DELIVERY: DeliverySettings = { ...DEFAULT_DELIVERY, maxRetries: 1, retryDelay: 300, timeout: 10_000 };

/** The shortest time an upload to storage may take before it is given up. */
const STORAGE_TIMEOUT_MS = 300_000;

/** Longest wait a `Retry-After` may impose before the node gives up on the item instead. */
const MAX_RETRY_WAIT_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

/** Failures where the request certainly never reached Bird: safe to send again. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Failures after the request may have reached Bird: only idempotent reads are sent again. */
const TIMED_OUT = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const OUTCOME_UNKNOWN = new Set([
	...TIMED_OUT,
	'ECONNRESET',
	'EPIPE',
	'UND_ERR_SOCKET',
]);

export type BirdContext = IExecuteFunctions | IExecuteSingleFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

/**
 * The share of Bird's documented limit the pacing aims at. Bird counts per second on its own
 * clock, and requests do not arrive exactly as they left: pacing at exactly 500/s lets a
 * one-second window now and then see 501, and the 429 that follows pauses the whole workspace
 * for its Retry-After. 2 % headroom avoids that and costs 2 % of the ceiling.
 */
const PACING_HEADROOM = 0.98;

/** One limiter per workspace and kind of request, shared by every node and execution. */
const workspaceLimiters = new KeyedRegistry<RateLimiter>();
/** A node's own lower rate and in-flight cap, shared by the items of one execution. */
const nodeLimiters = new KeyedRegistry<RateLimiter>();
const nodeSemaphores = new KeyedRegistry<Semaphore>();

/**
 * The credential per execution and node. n8n decrypts it on every call, and a batch would ask
 * once per item; entries are dropped 10 s after their last use.
 */
const credentialsInUse = new KeyedRegistry<Promise<BirdCredentials>>(10_000);

export async function birdCredentials(context: BirdContext): Promise<BirdCredentials> {
	const load = async () => (await context.getCredentials(CREDENTIAL_TYPE)) as unknown as BirdCredentials;
	if (!('getExecutionId' in context)) return await load();
	const key = executionKey(context);
	const credentials = credentialsInUse.get(key, () => {
		const loading = load();
		// A failed load is not kept: the next item asks again.
		loading.catch(() => credentialsInUse.delete(key));
		return loading;
	});
	return await credentials;
}

/**
 * The credential's "n8n Processes Sending at Once": this process paces at Bird's limit divided by
 * it. Anything but a whole number from 1 to 100 is refused, never rounded.
 */
export function processShare(context: BirdContext, credentials: BirdCredentials): number {
	return settingInRange(context.getNode(), credentials.processes, {
		label: 'Bird credential › n8n Processes Sending at Once',
		fallback: 1,
		min: 1,
		max: 100,
		integer: true,
		why: 'It is how many n8n processes (in queue mode, usually the workers) send with this workspace at the same time.',
	});
}

export function baseUrlOf(credentials: BirdCredentials): string {
	return (credentials.baseUrl || DEFAULT_BASE_URL).replace(/\/+$/, '');
}

/**
 * Fills the credential's IDs into a path template: `{workspaceId}` always, `{organizationId}`
 * where the path needs it (webhook subscriptions), refusing a missing or malformed one with a
 * sentence that says where Bird shows it.
 */
export function credentialPath(context: BirdContext, template: string, credentials: BirdCredentials): string {
	let path = template.replace('{workspaceId}', encodeURIComponent(String(credentials.workspaceId).trim()));
	if (path.includes('{organizationId}')) {
		const organizationId = String(credentials.organizationId ?? '').trim();
		if (!PATTERNS.uuid.test(organizationId)) {
			const problem = organizationId
				? `The Organization ID of the Bird credential must be a UUID, not "${organizationId}".`
				: 'The Bird credential has no Organization ID, which Bird needs for webhook subscriptions.';
			throw new NodeOperationError(context.getNode(), problem, { description: ORGANIZATION_ID_HELP });
		}
		path = path.replace('{organizationId}', organizationId);
	}
	if (/\{\w+\}/.test(path)) throw new Error(`Internal error: the request path ${path} has a placeholder nobody filled`);
	return path;
}

function retryAfterMs(headers: IDataObject | undefined): number | undefined {
	const value = headers?.['retry-after'];
	if (value === undefined || value === null || value === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function backoffMs(settings: DeliverySettings, attempt: number): number {
	const ceiling = Math.min(MAX_BACKOFF_MS, settings.retryDelay * 2 ** attempt);
	return ceiling / 2 + (Math.random() * ceiling) / 2;
}

function executionKey(context: BirdContext): string {
	const execution = 'getExecutionId' in context ? context.getExecutionId() : 'none';
	return `${execution}|${context.getNode().name}`;
}

function cancelSignal(context: BirdContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}

/**
 * The system error code of a request that got no HTTP answer, wherever the HTTP layer put it:
 * n8n's helpers wrap such failures in a NodeApiError whose httpCode is the code (ECONNRESET…),
 * other layers leave it on the error or its cause.
 */
function transportErrorCode(error: unknown): string | undefined {
	const candidates = [
		(error as { cause?: { code?: unknown } })?.cause?.code,
		(error as { code?: unknown })?.code,
		(error as { httpCode?: unknown })?.httpCode,
	];
	return candidates.find((code): code is string => typeof code === 'string' && /^(E[A-Z_]+|UND_ERR\w*|ERR_\w+)$/.test(code));
}

/**
 * Sends one request to Bird within the workspace's rate limit, retrying what Bird says is
 * safe to retry: 429 (not processed) and 5xx, honouring `Retry-After`, with exponential
 * backoff and jitter. Failures before an answer are retried only where the request cannot
 * have reached Bird, or for reads. An answer below 400 is returned as it is and never sent
 * again. Every failure ends as a NodeApiError with Bird's code, message and details, and
 * with the access key removed.
 */
export async function birdRequest(
	context: BirdContext,
	options: IHttpRequestOptions,
	{
		itemIndex,
		// The editor asks with a LoadOptions context (it has the node's current parameters).
		settings = 'getCurrentNodeParameters' in context ? EDITOR_DELIVERY : DEFAULT_DELIVERY,
		kind: kindOverride,
		halted,
		storage = false,
		idempotent = false,
		freshBody,
		binary = false,
	}: {
		itemIndex?: number;
		/**
		 * A write that may safely be repeated (an upload slot, an upload to storage): a connection
		 * that breaks before the answer is retried, as for reads. Never for a message.
		 */
		idempotent?: boolean;
		/**
		 * The request goes to storage Bird pointed at (a pre-signed upload URL), not to Bird: no
		 * access key, the URL as given, the body sent as it is. Paced and retried like the rest.
		 */
		storage?: boolean;
		settings?: DeliverySettings;
		/** Bird limits reads and writes separately; a POST that only reads (contact search) says so. */
		kind?: 'read' | 'write';
		/** Asked before every attempt: true means the node is stopping, and nothing more is sent (NotSent). */
		halted?: () => boolean;
		/**
		 * For storage, a body that can be sent only once (a stream of a file): makes the body of each
		 * attempt, in place of `options.body`, just before it is sent. What it made is destroyed after
		 * the attempt, sent whole or not, so that a broken upload leaves no file open.
		 */
		freshBody?: () => Promise<IHttpRequestOptions['body']>;
		/** The answer is a file (a media download, `encoding` set by the caller), not JSON. */
		binary?: boolean;
	} = {},
): Promise<IN8nHttpFullResponse> {
	const credentials = await birdCredentials(context);
	const baseURL = storage ? undefined : options.baseURL || baseUrlOf(credentials);
	const url = storage ? options.url : credentialPath(context, options.url, credentials);
	const method = (options.method ?? 'GET').toUpperCase();
	const kind = kindOverride ?? (method === 'GET' ? 'read' : 'write');
	const share = processShare(context, credentials);
	const workspace = workspaceLimiters.get(
		`${baseURL}|${credentials.workspaceId}|${kind}|${share}`,
		() => new RateLimiter((BIRD_RATE_LIMITS[kind] * PACING_HEADROOM) / share),
	);
	const own = executionKey(context);
	const rate =
		settings.maxRequestsPerSecond > 0 && settings.maxRequestsPerSecond < BIRD_RATE_LIMITS[kind]
			? nodeLimiters.get(`${own}|${kind}|${settings.maxRequestsPerSecond}`, () => new RateLimiter(settings.maxRequestsPerSecond, false))
			: undefined;
	const inFlight =
		settings.maxConcurrent > 0
			? nodeSemaphores.get(`${own}|${settings.maxConcurrent}`, () => new Semaphore(settings.maxConcurrent))
			: undefined;
	const signal = cancelSignal(context);
	const secret = credentials.apiKey;
	// Handing n8n the credential already read spares it a database read and a decryption per request.
	const stored = context.getNode().credentials?.[CREDENTIAL_TYPE];
	const credentialsDecrypted = { id: stored?.id ?? '', name: stored?.name ?? '', type: CREDENTIAL_TYPE };

	for (let attempt = 0; ; attempt++) {
		const attempts = attempt + 1;
		const canRetry = attempt < settings.maxRetries;
		const release = inFlight ? await inFlight.acquire() : undefined;
		let response: IN8nHttpFullResponse | undefined;
		let failure: { code?: string; message: string; timeoutMs?: number } | undefined;
		let stopped = false;
		let body = options.body;
		try {
			if (rate) await rate.acquire();
			await workspace.acquire();
			stopped = halted?.() === true;
			if (stopped) workspace.finished();
			else if (storage) {
				if (freshBody) body = await freshBody();
				// A file of up to 100 MiB may take longer than an API call.
				const timeout = Math.max(settings.timeout, STORAGE_TIMEOUT_MS);
				response = (await context.helpers.httpRequest({ ...options, body, url, timeout, returnFullResponse: true, ignoreHttpStatusErrors: true })) as IN8nHttpFullResponse;
			} else {
				response = (await context.helpers.httpRequestWithAuthentication.call(
					context,
					CREDENTIAL_TYPE,
					{ ...options, baseURL, url, timeout: settings.timeout, json: !binary, returnFullResponse: true, ignoreHttpStatusErrors: true },
					{ credentialsDecrypted: { ...credentialsDecrypted, data: { ...credentials } as unknown as ICredentialDataDecryptedObject } },
				)) as IN8nHttpFullResponse;
			}
			if (response) workspace.finished(response.statusCode === 429);
		} catch (error) {
			workspace.finished();
			const code = transportErrorCode(error);
			const cause = ((error as { cause?: unknown }).cause ?? error) as { message?: string };
			if (!code || (!NOT_SENT.has(code) && !OUTCOME_UNKNOWN.has(code))) {
				// Not a transport failure (for example the credential refused to sign the request).
				const message = redact(String((error as Error).message ?? error), secret);
				throw new NodeApiError(context.getNode(), { message }, { message, itemIndex });
			}
			failure = {
				code,
				message: String(cause?.message ?? code),
				timeoutMs: TIMED_OUT.has(code) ? (storage ? Math.max(settings.timeout, STORAGE_TIMEOUT_MS) : settings.timeout) : undefined,
			};
		} finally {
			release?.();
			if (freshBody) (body as { destroy?: () => void } | undefined)?.destroy?.();
		}
		if (stopped) throw new NotSent(context.getNode());

		if (failure) {
			const outcomeUnknown = OUTCOME_UNKNOWN.has(failure.code ?? '') && kind === 'write' && !idempotent;
			if (!canRetry || outcomeUnknown) {
				throw birdConnectionError(context.getNode(), failure, { itemIndex, attempts, secret, outcomeUnknown, storage, baseUrl: storage ? undefined : baseURL });
			}
			await pause(backoffMs(settings, attempt), signal);
			continue;
		}

		const { statusCode } = response as IN8nHttpFullResponse;
		if (statusCode < 400) return response as IN8nHttpFullResponse;

		// A 5xx that is not Bird's own answer (a gateway's 502/504 page, an empty body) may follow a
		// processed request: a write is not sent again, and its item says it may have arrived.
		const fromBird = statusCode < 500 || storage || isBirdError(response?.body);
		if (statusCode >= 500 && !fromBird && kind === 'write' && !idempotent) {
			throw markUncertain(birdApiError(context.getNode(), response as IN8nHttpFullResponse, { itemIndex, attempts, secret, storage, notFromBird: true }));
		}
		const retryable = statusCode === 429 || statusCode >= 500;
		const asked = retryAfterMs(response?.headers as IDataObject | undefined);
		if (!retryable || !canRetry || (asked !== undefined && asked > MAX_RETRY_WAIT_MS)) {
			throw birdApiError(context.getNode(), response as IN8nHttpFullResponse, { itemIndex, attempts, secret, storage });
		}
		const wait = asked ?? backoffMs(settings, attempt);
		// A 429 slows the workspace's pacing (and holds it until Bird's second turns, see pacing.ts); a
		// Retry-After longer than a second also pauses every request to the workspace for that long.
		if (statusCode === 429) {
			workspace.slowDown();
			if (asked !== undefined && asked > 1000) workspace.pauseFor(asked);
		}
		await pause(wait, signal);
	}
}

function isJsonObject(body: unknown): body is IDataObject {
	return !!body && typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body);
}

/** Bird's documented error body, `{code, message}`: an answer from Bird itself, not from something in front of it. */
function isBirdError(body: unknown): boolean {
	return isJsonObject(body) && typeof body.code === 'string' && typeof body.message === 'string';
}

/**
 * Bird's JSON answer to a request that changed something (a send), as an output item's json.
 * An answer that cannot be read is still a success (Bird accepted the request; failing the item
 * would invite sending it again), kept as text with a warning that says so.
 */
export function responseJson(response: IN8nHttpFullResponse): IDataObject {
	const { body } = response;
	if (isJsonObject(body)) return body;
	const text = body === undefined || body === null ? '' : Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : JSON.stringify(body);
	if (response.statusCode === 204 || (!text && response.statusCode !== 202 && response.statusCode !== 201)) {
		return { statusCode: response.statusCode, responseText: text };
	}
	return {
		statusCode: response.statusCode,
		responseText: text.slice(0, 2000),
		warning: `Bird accepted the request (HTTP ${response.statusCode}) but its answer could not be read, so the ID and status it gave are unknown. It was sent: look it up in Bird (by reference or recipient) instead of sending it again. Bird's raw answer is in responseText.`,
	};
}

/** Bird's JSON answer to a read; an answer that cannot be read fails, since nothing was changed and guessing would mislead. */
export function readJson(context: BirdContext, response: IN8nHttpFullResponse, itemIndex?: number): IDataObject {
	if (isJsonObject(response.body)) return response.body;
	const text = typeof response.body === 'string' ? response.body.slice(0, 300) : String(response.body ?? '');
	throw new NodeApiError(
		context.getNode(),
		{ message: `Bird's answer could not be read: ${text || '(empty)'}` },
		{
			message: `Bird's answer (HTTP ${response.statusCode}) could not be read as JSON`,
			description: panelText(`Nothing was sent with it, so it is safe to run the node again. Bird answered: ${text || '(empty)'}`),
			httpCode: String(response.statusCode),
			itemIndex,
		},
	);
}
