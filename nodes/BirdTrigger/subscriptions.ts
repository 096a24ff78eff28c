/**
 * The Bird Trigger's webhook subscriptions: made on activation (and for "Listen for test
 * event"), checked on every activation, removed on deactivation. What was made is recorded in
 * the node's static data: the URL exactly as subscribed, the signing key, the subscription IDs,
 * and where they live (base URL, organization and workspace), so that they can be removed even
 * after the credential or n8n's webhook URL changed. n8n keeps a test listener's static data apart
 * from the active workflow's (it starts empty), so each has its own record.
 */
import { randomBytes } from 'node:crypto';
import type { IDataObject, IHookFunctions, INodeParameterResourceLocator, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_BASE_URL } from '../shared/constants';
import { WORKSPACE_PATH } from '../shared/descriptions/node';
import { baseUrlOf, birdCredentials, birdRequest, credentialPath, readJson, responseJson } from '../shared/transport/request';
import { PATTERNS } from '../shared/validation';
import type { TriggerSettings } from './events';
import { eventPlatform, subscriptionPlan } from './events';
import { maxMediaBytes } from './options';
import { maxAgeMinutes } from './replay';

const SUBSCRIPTIONS_PATH = '/organizations/{organizationId}/workspaces/{workspaceId}/webhook-subscriptions';

/** Bird's pattern for a subscription's URL: https, a host name (no IP, no port), an optional path. */
const DELIVERABLE_URL = /^https:\/\/([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}(\/[^\s]*)?$/;

export interface StoredSubscriptions {
	/** The URL exactly as subscribed: Bird signs every delivery over it. */
	url: string;
	signingKey: string;
	ids: string[];
	/** Bird's base URL and the subscriptions' path, organization and workspace filled in. */
	baseUrl: string;
	path: string;
	/** The settings they were made for; empty when they are only kept to be removed. */
	fingerprint: string;
}

export function storedSubscriptions(staticData: IDataObject): StoredSubscriptions | undefined {
	return staticData.birdSubscriptions as unknown as StoredSubscriptions | undefined;
}

/** What the subscriptions depend on: when any of it changes, they are made again. */
function fingerprint(settings: TriggerSettings, url: string, baseUrl: string, path: string): string {
	const sorted = (values: string[]) => [...values].sort();
	return JSON.stringify({
		url,
		baseUrl,
		path,
		channelId: settings.channelId,
		events: sorted(settings.events),
		messageStatuses: sorted(settings.messageStatuses),
		interactionTypes: sorted(settings.interactionTypes),
	});
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
	// Refused at activation, before Bird is asked for anything.
	maxAgeMinutes(node, context.getNodeParameter('options', {}) as IDataObject);
	maxMediaBytes(node, context.getNodeParameter('options', {}) as IDataObject);
	const list = (name: string) => (context.getNodeParameter(`options.${name}`, []) as string[]) ?? [];
	return { events, channelId, messageStatuses: list('messageStatuses'), interactionTypes: list('interactionTypes') };
}

function webhookUrlSentence(url: string): string {
	return `Bird delivers webhooks only to a public https address with a host name (no IP address, no port), and n8n's webhook URL for this node is ${url}. Set n8n's WEBHOOK_URL environment variable to the public https address of this n8n (for an n8n on your own computer, a tunnel such as cloudflared or ngrok), restart n8n and activate the workflow again.`;
}

/** Where this node's subscriptions go now: its webhook URL (refused early when Bird could not deliver to it) and Bird's address. */
async function target(context: IHookFunctions): Promise<{ url: string; baseUrl: string; path: string }> {
	const url = context.getNodeWebhookUrl('default') ?? '';
	const credentials = await birdCredentials(context);
	const baseUrl = baseUrlOf(credentials);
	// Fails here, before any request, when the credential has no organization ID.
	const path = credentialPath(context, SUBSCRIPTIONS_PATH, credentials);
	if (new URL(baseUrl).hostname === new URL(DEFAULT_BASE_URL).hostname && !DELIVERABLE_URL.test(url)) {
		throw new NodeOperationError(context.getNode(), 'Bird cannot deliver to this n8n: its webhook URL is not a public https address', {
			description: webhookUrlSentence(url),
		});
	}
	return { url, baseUrl, path };
}

/** Bird's answer to a missing subscription is 404: it is gone, which is what deleting wants. */
const isNotFound = (error: unknown) => error instanceof NodeApiError && error.httpCode === '404';

/** Deletes subscriptions where they live; returns the ones that could not be deleted (a 404 counts as deleted). */
async function deleteSubscriptions(
	context: IHookFunctions,
	where: { baseUrl: string; path: string },
	ids: string[],
): Promise<Array<{ id: string; error: Error }>> {
	const failures: Array<{ id: string; error: Error }> = [];
	for (const id of ids) {
		try {
			await birdRequest(context, { method: 'DELETE', baseURL: where.baseUrl, url: `${where.path}/${encodeURIComponent(id)}` });
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
function explainCreateFailure(context: IHookFunctions, error: unknown, url: string): Error {
	const details = (error as { errorResponse?: { details?: IDataObject } }).errorResponse?.details;
	if (error instanceof NodeApiError && error.httpCode === '422' && details && 'url' in details) {
		return new NodeOperationError(context.getNode(), 'Bird refused the webhook URL of this n8n', {
			description: `${webhookUrlSentence(url)} Bird said: ${JSON.stringify(details.url)}`,
		});
	}
	return error as Error;
}

export async function createSubscriptions(context: IHookFunctions): Promise<void> {
	const settings = readSettings(context);
	const { url, baseUrl, path } = await target(context);
	const staticData = context.getWorkflowStaticData('node');

	const channel = readJson(
		context,
		await birdRequest(context, { method: 'GET', url: `${WORKSPACE_PATH}/channels/${encodeURIComponent(settings.channelId)}` }),
	);
	if (typeof channel.platformId !== 'string' || !channel.platformId) {
		throw new NodeOperationError(context.getNode(), `Bird did not say which platform channel ${settings.channelId} is on`, {
			description: "Its events are named after the platform (whatsapp.inbound, sms.inbound…). Check the channel in Bird's dashboard, or pick another.",
		});
	}
	const plan = subscriptionPlan(settings, eventPlatform(channel.platformId));

	// What this node subscribed before goes first, wherever it lives (the credential may have changed).
	const before = storedSubscriptions(staticData);
	if (before?.ids.length) {
		const failures = await deleteSubscriptions(context, before, before.ids);
		if (failures.length) throw failedToDelete(context, failures);
	}
	delete staticData.birdSubscriptions;

	const signingKey = randomBytes(32).toString('base64');
	const ids: string[] = [];
	try {
		for (const spec of plan) {
			const response = await birdRequest(context, { method: 'POST', url: path, baseURL: baseUrl, body: { ...spec, url, signingKey } });
			// A write: an answer that cannot be read still made a subscription, whose ID is then unknown.
			const { id } = responseJson(response);
			if (typeof id !== 'string' || !id) {
				throw new NodeOperationError(context.getNode(), `Bird answered the webhook subscription for ${spec.event} without its ID`, {
					description: "The subscription may exist in Bird without this node knowing it: remove it in Bird's dashboard if deliveries arrive twice.",
				});
			}
			ids.push(id);
		}
	} catch (error) {
		const undone = await deleteSubscriptions(context, { baseUrl, path }, ids);
		const explained = explainCreateFailure(context, error, url);
		if (undone.length) {
			// Kept on record (never as current), so that n8n's clean-up or the next activation removes them.
			staticData.birdSubscriptions = { url, signingKey, ids: undone.map((failure) => failure.id), baseUrl, path, fingerprint: '' } as unknown as IDataObject;
			explained.message += ` (and ${undone.length} subscription(s) made before it could not be removed yet: ${undone.map((failure) => failure.id).join(', ')})`;
		}
		throw explained;
	}
	staticData.birdSubscriptions = { url, signingKey, ids, baseUrl, path, fingerprint: fingerprint(settings, url, baseUrl, path) } as unknown as IDataObject;
}

/** True when every subscription this node made still exists in Bird, for its current URL and settings. */
export async function subscriptionsExist(context: IHookFunctions): Promise<boolean> {
	const record = storedSubscriptions(context.getWorkflowStaticData('node'));
	if (!record?.ids.length) return false;
	const { url, baseUrl, path } = await target(context);
	if (record.url !== url || record.fingerprint !== fingerprint(readSettings(context), url, baseUrl, path)) return false;
	for (const id of record.ids) {
		try {
			const found = readJson(context, await birdRequest(context, { method: 'GET', baseURL: baseUrl, url: `${path}/${encodeURIComponent(id)}` }));
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

/**
 * Removes every subscription this node made; a 404 counts as removed, any other failure is
 * reported. (When it throws, n8n keeps the stored record, and the next activation removes what
 * is left.)
 */
export async function deleteStoredSubscriptions(context: IHookFunctions): Promise<void> {
	const staticData = context.getWorkflowStaticData('node');
	const record = storedSubscriptions(staticData);
	if (!record) return;
	const failures = await deleteSubscriptions(context, record, record.ids);
	if (failures.length) throw failedToDelete(context, failures);
	delete staticData.birdSubscriptions;
}
