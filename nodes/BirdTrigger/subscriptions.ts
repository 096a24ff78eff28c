/**
 * The Bird Trigger's webhook subscriptions: made on activation (and for "Listen for test
 * event"), checked on every activation, removed on deactivation. What was made is kept in the
 * node's static data, one entry per webhook URL (n8n's test URL and production URL get their
 * own subscriptions and signing keys).
 */
import { randomBytes } from 'node:crypto';
import type { IDataObject, IHookFunctions, INodeParameterResourceLocator, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_BASE_URL } from '../shared/constants';
import { WORKSPACE_PATH } from '../shared/descriptions/node';
import { baseUrlOf, birdCredentials, birdRequest, credentialPath, responseJson } from '../shared/transport/request';
import { PATTERNS } from '../shared/validation';
import type { TriggerSettings } from './events';
import { eventPlatform, fingerprint, subscriptionPlan } from './events';

const SUBSCRIPTIONS_PATH = '/organizations/{organizationId}/workspaces/{workspaceId}/webhook-subscriptions';

/** Bird's pattern for a subscription's URL: https, a host name (no IP, no port), an optional path. */
const DELIVERABLE_URL = /^https:\/\/([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}(\/[^\s]*)?$/;

export interface StoredSubscriptions {
	/** `test` for n8n's "Listen for test event", `production` for an active workflow. */
	kind: 'test' | 'production';
	/** The URL exactly as subscribed: Bird signs every delivery over it. */
	url: string;
	signingKey: string;
	ids: string[];
	fingerprint: string;
}

export function storedSubscriptions(staticData: IDataObject): StoredSubscriptions[] {
	return Array.isArray(staticData.birdSubscriptions) ? (staticData.birdSubscriptions as unknown as StoredSubscriptions[]) : [];
}

function store(staticData: IDataObject, entries: StoredSubscriptions[]): void {
	// A fresh array each time: n8n notices assignments to static data, not edits deep inside it.
	staticData.birdSubscriptions = entries as unknown as IDataObject[];
}

/** The node's settings, checked before anything is sent to Bird. */
export function readSettings(context: IHookFunctions): TriggerSettings {
	const node = context.getNode();
	const locator = context.getNodeParameter('channelId') as INodeParameterResourceLocator | string;
	const channelId = String(typeof locator === 'object' ? (locator?.value ?? '') : locator).trim();
	if (!PATTERNS.uuid.test(channelId)) {
		throw new NodeOperationError(node, `Channel: "${channelId}" is not a channel ID`, {
			description: 'Pick a channel from the list, or enter its ID (a UUID such as 5da69b04-d462-5efd-9b65-28dbae1e0482).',
		});
	}
	const events = (context.getNodeParameter('events', []) as string[]) ?? [];
	if (!events.length) {
		throw new NodeOperationError(node, 'Events: pick at least one event', {
			description: 'For a workflow that answers customers, pick Message Received.',
		});
	}
	const list = (name: string) => (context.getNodeParameter(`options.${name}`, []) as string[]) ?? [];
	return { events, channelId, messageStatuses: list('messageStatuses'), interactionTypes: list('interactionTypes') };
}

function webhookUrlSentence(url: string): string {
	return `Bird delivers webhooks only to a public https address with a host name (no IP address, no port), and n8n's webhook URL for this node is ${url}. Set n8n's WEBHOOK_URL environment variable to the public https address of this n8n (for an n8n on your own computer, a tunnel such as cloudflared or ngrok), restart n8n and activate the workflow again.`;
}

/**
 * This node's webhook URL, refused early when Bird could not deliver to it; so is a credential
 * without the organization ID that the subscriptions' path needs.
 */
async function subscribableUrl(context: IHookFunctions): Promise<string> {
	const url = context.getNodeWebhookUrl('default') ?? '';
	const credentials = await birdCredentials(context);
	credentialPath(context, SUBSCRIPTIONS_PATH, credentials);
	const isBird = new URL(baseUrlOf(credentials)).hostname === new URL(DEFAULT_BASE_URL).hostname;
	if (isBird && !DELIVERABLE_URL.test(url)) {
		throw new NodeOperationError(context.getNode(), 'Bird cannot deliver to this n8n: its webhook URL is not a public https address', {
			description: webhookUrlSentence(url),
		});
	}
	return url;
}

/** Bird's answer to a missing subscription is 404: it is gone, which is what deleting wants. */
const isNotFound = (error: unknown) => error instanceof NodeApiError && error.httpCode === '404';

/** Deletes subscriptions by ID; returns the ones that could not be deleted (a 404 counts as deleted). */
async function deleteSubscriptions(context: IHookFunctions, ids: string[]): Promise<Array<{ id: string; error: Error }>> {
	const failures: Array<{ id: string; error: Error }> = [];
	for (const id of ids) {
		try {
			await birdRequest(context, { method: 'DELETE', url: `${SUBSCRIPTIONS_PATH}/${encodeURIComponent(id)}` });
		} catch (error) {
			if (!isNotFound(error)) failures.push({ id, error: error as Error });
		}
	}
	return failures;
}

function failedToDelete(context: IHookFunctions, failures: Array<{ id: string; error: Error }>): NodeOperationError {
	return new NodeOperationError(context.getNode(), `Could not remove ${failures.length} of Bird's webhook subscriptions for this trigger`, {
		description: `Bird may go on sending their events until they are removed (n8n tries again on the next activation, or delete them in Bird: ${failures.map((failure) => failure.id).join(', ')}). ${failures.map((failure) => failure.error.message).join(' ')}`,
	});
}

/** A 422 on `url` means Bird will not deliver there: say what to change in n8n. */
function explainCreateFailure(context: IHookFunctions, error: unknown, url: string): unknown {
	const details = (error as { errorResponse?: { details?: IDataObject } }).errorResponse?.details;
	if (error instanceof NodeApiError && error.httpCode === '422' && details && 'url' in details) {
		return new NodeOperationError(context.getNode(), 'Bird refused the webhook URL of this n8n', {
			description: `${webhookUrlSentence(url)} Bird said: ${JSON.stringify(details.url)}`,
		});
	}
	return error;
}

export async function createSubscriptions(context: IHookFunctions): Promise<void> {
	const settings = readSettings(context);
	const url = await subscribableUrl(context);
	const kind = context.getActivationMode() === 'manual' ? 'test' : 'production';
	const staticData = context.getWorkflowStaticData('node');

	const channel = responseJson(
		await birdRequest(context, { method: 'GET', url: `${WORKSPACE_PATH}/channels/${encodeURIComponent(settings.channelId)}` }),
	);
	const plan = subscriptionPlan(settings, eventPlatform(String(channel.platformId ?? '')));

	// Subscriptions this node made earlier for the same URL or kind (a changed WEBHOOK_URL) go first.
	const stale = storedSubscriptions(staticData).filter((entry) => entry.kind === kind || entry.url === url);
	const failures = await deleteSubscriptions(context, stale.flatMap((entry) => entry.ids));
	if (failures.length) throw failedToDelete(context, failures);
	store(staticData, storedSubscriptions(staticData).filter((entry) => !stale.includes(entry)));

	const signingKey = randomBytes(32).toString('base64');
	const ids: string[] = [];
	try {
		for (const spec of plan) {
			const response = await birdRequest(context, {
				method: 'POST',
				url: SUBSCRIPTIONS_PATH,
				body: { ...spec, url, signingKey },
			});
			ids.push(String(responseJson(response).id));
		}
	} catch (error) {
		const undone = await deleteSubscriptions(context, ids);
		const explained = explainCreateFailure(context, error, url);
		if (undone.length && explained instanceof Error) {
			explained.message += ` (and ${undone.length} subscription(s) made before it could not be removed: ${undone.map((failure) => failure.id).join(', ')})`;
		}
		throw explained;
	}
	store(staticData, [
		...storedSubscriptions(staticData),
		{ kind, url, signingKey, ids, fingerprint: fingerprint(settings, url) },
	]);
}

/** True when every subscription this node made for its URL still exists in Bird with the current settings. */
export async function subscriptionsExist(context: IHookFunctions): Promise<boolean> {
	const url = context.getNodeWebhookUrl('default') ?? '';
	const entry = storedSubscriptions(context.getWorkflowStaticData('node')).find((candidate) => candidate.url === url);
	if (!entry || !entry.ids.length || entry.fingerprint !== fingerprint(readSettings(context), url)) return false;
	for (const id of entry.ids) {
		try {
			const found = responseJson(await birdRequest(context, { method: 'GET', url: `${SUBSCRIPTIONS_PATH}/${encodeURIComponent(id)}` }));
			if (found.url !== undefined && found.url !== url) return false;
			if (found.status !== undefined && found.status !== 'active') return false;
		} catch (error) {
			if (isNotFound(error)) return false;
			// birdRequest's errors are NodeApiErrors already; NodeApiError hands those back unchanged.
			throw new NodeApiError(context.getNode(), error as JsonObject);
		}
	}
	return true;
}

/** Removes the subscriptions of this node's URL; a 404 counts as removed, any other failure is reported. */
export async function deleteStoredSubscriptions(context: IHookFunctions): Promise<void> {
	const url = context.getNodeWebhookUrl('default') ?? '';
	const staticData = context.getWorkflowStaticData('node');
	const mine = storedSubscriptions(staticData).filter((entry) => entry.url === url);
	const failures = await deleteSubscriptions(context, mine.flatMap((entry) => entry.ids));
	// What could not be deleted stays on record, never as current, so that the next activation deletes it.
	const left = mine
		.map((entry) => ({ ...entry, fingerprint: '', ids: entry.ids.filter((id) => failures.some((failure) => failure.id === id)) }))
		.filter((entry) => entry.ids.length);
	store(staticData, [...storedSubscriptions(staticData).filter((entry) => !mine.includes(entry)), ...left]);
	if (failures.length) throw failedToDelete(context, failures);
}
