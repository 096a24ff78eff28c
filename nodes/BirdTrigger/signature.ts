import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What a delivery carries that its signature covers. */
export interface Delivery {
	/** `messagebird-signature`: base64 of the HMAC. */
	signature?: string;
	/** `messagebird-request-timestamp`: Unix time in seconds. */
	timestamp?: string;
	/** The raw request body, byte for byte. */
	rawBody: Buffer;
}

export type Verdict = { ok: true } | { ok: false; status: 401; reason: string };

/** How far a delivery's timestamp may lie in the future (clocks differ a little). */
export const FUTURE_SKEW_MS = 60_000;

/**
 * Bird's signature: HMAC-SHA256 with the subscription's signing key over
 * `timestamp + "\n" + url + "\n" + sha256(raw body)`, the checksum as raw bytes, sent base64
 * encoded. `url` must be exactly the URL that was subscribed, query included.
 */
export function signDelivery(signingKey: string, timestamp: string, url: string, rawBody: Buffer): string {
	const checksum = createHash('sha256').update(rawBody).digest();
	return createHmac('sha256', signingKey)
		.update(Buffer.concat([Buffer.from(`${timestamp}\n${url}\n`), checksum]))
		.digest('base64');
}

/** The timestamp header (Unix seconds) in milliseconds. */
function timestampMs(value: string): number | undefined {
	return /^\d{9,11}$/.test(value) ? Number(value) * 1000 : undefined;
}

/**
 * Checks a delivery before anything runs: the signature (compared in constant time) against
 * each (url, signingKey) this node subscribed with, then the timestamp's age. A delivery older
 * than `maxAgeMs` is refused even when correctly signed: that is what makes a captured delivery
 * useless to replay later.
 */
export function verifyDelivery(
	delivery: Delivery,
	subscriptions: Array<{ url: string; signingKey: string }>,
	now: number,
	maxAgeMs: number,
): Verdict {
	const { signature, timestamp } = delivery;
	if (!signature || !timestamp) {
		return { ok: false, status: 401, reason: 'missing messagebird-signature or messagebird-request-timestamp header' };
	}
	const sentAt = timestampMs(timestamp.trim());
	if (sentAt === undefined) return { ok: false, status: 401, reason: 'messagebird-request-timestamp is not a Unix time' };
	const given = Buffer.from(signature, 'base64');
	const matches = subscriptions.some(({ url, signingKey }) => {
		const expected = Buffer.from(signDelivery(signingKey, timestamp.trim(), url, delivery.rawBody), 'base64');
		return expected.length === given.length && timingSafeEqual(expected, given);
	});
	if (!matches) return { ok: false, status: 401, reason: 'the signature does not match' };
	if (now - sentAt > maxAgeMs) {
		return { ok: false, status: 401, reason: `the delivery is ${Math.round((now - sentAt) / 1000)} s old; at most ${Math.round(maxAgeMs / 1000)} s are accepted` };
	}
	if (sentAt - now > FUTURE_SKEW_MS) return { ok: false, status: 401, reason: 'the delivery is dated in the future' };
	return { ok: true };
}
