/**
 * The sandbox's Notifications API: webhook subscriptions under
 * /organizations/{org}/workspaces/{ws}/webhook-subscriptions, checked the way Bird checks
 * them, and signed deliveries of the events they select, retried like Bird retries (with the
 * first attempt's timestamp; here within seconds instead of hours) and re-sent on request.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import type { Problems } from './validate';

type Json = Record<string, unknown>;

export interface Subscription extends Json {
	id: string;
	service: string;
	event: string;
	url: string;
	signingKey?: string;
	eventFilters: Array<{ key: string; value: string }>;
	status: 'active';
}

export interface Delivery {
	requestId: string;
	subscriptionId: string;
	event: string;
	url: string;
	/** The body exactly as sent; every attempt sends these bytes. */
	body: string;
	/** The first attempt's `messagebird-request-timestamp` (Unix seconds): Bird's retries send it again. */
	timestamp?: string;
	/** Each attempt's HTTP status (0: no answer) and the start of the answer's body. */
	attempts: Array<{ at: string; status: number; answer: string }>;
}

/** Bird's pattern for a subscription URL. The sandbox also accepts loopback http(s), so that a local n8n can subscribe. */
const BIRD_URL = /^https:\/\/([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}(\/[^\s]*)?$/;
const LOOPBACK_URL = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/[^\s]*)?$/;
const SERVICES = ['channels', 'conversations', 'numbers', 'payments'];
const FILTER_KEYS = ['channelId', 'messageStatus', 'interactionType', 'platformId', 'channelStatus'];
/** Bird allows at most this many subscriptions with the same event and filters. */
const MAX_SAME_FILTERS = 5;

/** What an event is about, matched against each subscription's filters. */
export type EventFacts = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

function filterSet(subscription: Json): string {
	const filters = (Array.isArray(subscription.eventFilters) ? subscription.eventFilters : []) as Array<{ key: string; value: string }>;
	return JSON.stringify([subscription.event, filters.map((filter) => `${filter.key}=${filter.value}`).sort()]);
}

export class Webhooks {
	readonly subscriptions: Subscription[] = [];
	readonly deliveries: Delivery[] = [];
	/** Waits before the retries of a delivery that did not get a 2xx. */
	retryDelaysMs = [500, 2000];

	constructor(private readonly now: () => number) {}

	check(body: Json): Problems {
		const problems: Problems = {};
		const add = (path: string, problem: string) => (problems[path] ??= []).push(problem);
		if (!SERVICES.includes(String(body.service))) add('service', `must be one of ${SERVICES.join(', ')}`);
		if (typeof body.event !== 'string' || !body.event) add('event', 'is required');
		if (typeof body.url !== 'string' || !(BIRD_URL.test(body.url) || LOOPBACK_URL.test(body.url))) {
			add('url', `must match ${BIRD_URL.source}`);
		}
		if (body.signingKey !== undefined && (typeof body.signingKey !== 'string' || !body.signingKey)) add('signingKey', 'must be a non-empty string');
		const filters = body.eventFilters ?? [];
		if (!Array.isArray(filters)) add('eventFilters', 'must be an array');
		else {
			filters.forEach((filter: Json, index) => {
				if (!FILTER_KEYS.includes(String(filter?.key))) add(`eventFilters[${index}].key`, `must be one of ${FILTER_KEYS.join(', ')}`);
				if (typeof filter?.value !== 'string' || !filter.value) add(`eventFilters[${index}].value`, 'must be a non-empty string');
			});
			if (filters.filter((filter: Json) => filter?.key === 'channelId').length > 1) add('eventFilters', 'may have one channelId filter');
		}
		if (!Object.keys(problems).length && this.subscriptions.filter((existing) => filterSet(existing) === filterSet(body)).length >= MAX_SAME_FILTERS) {
			add('eventFilters', `at most ${MAX_SAME_FILTERS} subscriptions may have the same event and filters`);
		}
		return problems;
	}

	create(body: Json, scope: { organizationId: string; workspaceId: string }): Subscription {
		const at = new Date(this.now()).toISOString();
		const subscription: Subscription = {
			id: randomUUID(),
			...scope,
			service: String(body.service),
			event: String(body.event),
			url: String(body.url),
			...(body.signingKey === undefined ? {} : { signingKey: String(body.signingKey) }),
			...(body.template === undefined ? {} : { template: body.template }),
			eventFilters: (body.eventFilters ?? []) as Subscription['eventFilters'],
			status: 'active',
			createdAt: at,
			updatedAt: at,
		};
		this.subscriptions.push(subscription);
		return subscription;
	}

	find(id: string): Subscription | undefined {
		return this.subscriptions.find((subscription) => subscription.id === id);
	}

	remove(id: string): boolean {
		const index = this.subscriptions.findIndex((subscription) => subscription.id === id);
		if (index >= 0) this.subscriptions.splice(index, 1);
		return index >= 0;
	}

	/** Delivers `{service, event, payload}` to every subscription of `event` whose filters all match. */
	async emit(service: string, event: string, payload: Json, facts: EventFacts): Promise<void> {
		const matching = this.subscriptions.filter(
			(subscription) =>
				subscription.event === event &&
				subscription.eventFilters.every((filter) => facts[filter.key] === filter.value),
		);
		await Promise.all(
			matching.map(async (subscription) => {
				const delivery: Delivery = {
					requestId: randomUUID(),
					subscriptionId: subscription.id,
					event,
					url: subscription.url,
					body: JSON.stringify({ service, event, payload }),
					attempts: [],
				};
				this.deliveries.push(delivery);
				if (this.deliveries.length > 200) this.deliveries.shift();
				await this.attempt(delivery, this.retryDelaysMs);
			}),
		);
	}

	/**
	 * Sends a delivery again (the newest by default), as Bird's retries do: the same body, request
	 * ID, timestamp and signature as the first attempt (seen in real traffic: retries keep the
	 * first timestamp). `ageSeconds` dates that first attempt back, as a retry hours after it.
	 */
	async redeliver(delivery: Delivery | undefined = this.deliveries[this.deliveries.length - 1], opts: { ageSeconds?: number } = {}): Promise<Delivery | undefined> {
		if (!delivery) return undefined;
		if (opts.ageSeconds !== undefined) delivery.timestamp = String(Math.floor(this.now() / 1000) - opts.ageSeconds);
		await this.attempt(delivery, []);
		return delivery;
	}

	private async attempt(delivery: Delivery, retryDelays: number[]): Promise<void> {
		const subscription = this.find(delivery.subscriptionId);
		const { status, answer } = await this.post(delivery, subscription?.signingKey);
		delivery.attempts.push({ at: new Date(this.now()).toISOString(), status, answer });
		if ((status < 200 || status >= 300) && retryDelays.length && subscription) {
			await new Promise((resolve) => setTimeout(resolve, retryDelays[0]));
			await this.attempt(delivery, retryDelays.slice(1));
		}
	}

	/** One signed POST; the HTTP status (0 when there was no answer) and the start of the answer. */
	private async post(delivery: Delivery, signingKey: string | undefined): Promise<{ status: number; answer: string }> {
		delivery.timestamp ??= String(Math.floor(this.now() / 1000));
		const { timestamp } = delivery;
		const body = Buffer.from(delivery.body);
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			// One connection per attempt, as a retry hours later would be; no idle socket stays behind.
			connection: 'close',
			'messagebird-request-id': delivery.requestId,
			'messagebird-request-timestamp': timestamp,
		};
		if (signingKey) headers['messagebird-signature'] = signature(signingKey, timestamp, delivery.url, body);
		const send = delivery.url.startsWith('https:') ? httpsRequest : httpRequest;
		return await new Promise((resolve) => {
			const req = send(delivery.url, { method: 'POST', headers, timeout: 10_000 });
			req.on('response', (res) => {
				let answer = '';
				res.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, answer: answer.slice(0, 200) }));
			});
			req.on('timeout', () => req.destroy());
			req.on('error', (error) => resolve({ status: 0, answer: error.message }));
			req.end(body);
		});
	}
}

/** Bird's signature: HMAC-SHA256(signing key, timestamp + "\n" + url + "\n" + sha256(body)), base64. */
export function signature(signingKey: string, timestamp: string, url: string, body: Buffer): string {
	const checksum = createHash('sha256').update(body).digest();
	return createHmac('sha256', signingKey).update(Buffer.concat([Buffer.from(`${timestamp}\n${url}\n`), checksum])).digest('base64');
}
