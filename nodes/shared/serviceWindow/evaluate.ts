/**
 * What Bird's channel-contact answer means for the next message. Bird's rules: a permanent
 * session is always open; `serviceWindowExpireAt` in the future is open; null or in the past
 * is closed, and then only a template may be sent.
 */
export interface ChannelContactInfo {
	serviceWindowExpireAt?: string | null;
	isPermanentSession?: boolean | null;
}

export type WindowReason =
	| 'permanentSession'
	| 'open'
	| 'closesTooSoon'
	| 'expired'
	| 'noWindow'
	| 'unknownContact';

export interface ServiceWindow {
	isOpen: boolean;
	expiresAt: string | null;
	/** Seconds until the window closes; 0 once closed; null for a permanent session. */
	remainingSeconds: number | null;
	isPermanentSession: boolean;
	contactId: string | null;
	recommendedMessageType: 'free-form' | 'template';
	reason: WindowReason;
	checkedAt: string;
}

function result(
	fields: Omit<ServiceWindow, 'recommendedMessageType' | 'checkedAt'>,
	now: number,
): ServiceWindow {
	return {
		...fields,
		recommendedMessageType: fields.isOpen ? 'free-form' : 'template',
		checkedAt: new Date(now).toISOString(),
	};
}

/** The window of a contact Bird does not know: closed, since that contact never wrote. */
export function unknownContactWindow(now: number): ServiceWindow {
	return result(
		{
			isOpen: false,
			expiresAt: null,
			remainingSeconds: 0,
			isPermanentSession: false,
			contactId: null,
			reason: 'unknownContact',
		},
		now,
	);
}

/**
 * @param minimumRemainingSeconds a window that closes sooner than this counts as closed, so
 *   that a message is not sent into a window about to expire
 */
export function evaluateWindow(
	info: ChannelContactInfo,
	contactId: string,
	now: number,
	minimumRemainingSeconds = 0,
): ServiceWindow {
	const expiresAt = info.serviceWindowExpireAt ?? null;
	if (info.isPermanentSession === true) {
		return result(
			{ isOpen: true, expiresAt, remainingSeconds: null, isPermanentSession: true, contactId, reason: 'permanentSession' },
			now,
		);
	}
	const expiry = expiresAt === null ? NaN : Date.parse(expiresAt);
	if (Number.isNaN(expiry)) {
		return result(
			{ isOpen: false, expiresAt, remainingSeconds: 0, isPermanentSession: false, contactId, reason: 'noWindow' },
			now,
		);
	}
	const remainingSeconds = Math.max(0, Math.floor((expiry - now) / 1000));
	const reason: WindowReason =
		expiry <= now ? 'expired' : remainingSeconds < minimumRemainingSeconds ? 'closesTooSoon' : 'open';
	return result(
		{ isOpen: reason === 'open', expiresAt, remainingSeconds, isPermanentSession: false, contactId, reason },
		now,
	);
}
