/**
 * The question a send-and-wait node sends: read from the item (checked before anything is sent),
 * then made into Bird message content for its route. In the chat, Approval is a text with
 * postback buttons whose payloads are the signed resume URLs; by link, the URLs follow the text
 * (an email gets buttons). Every question carries its resume URL in `reference`, where the
 * trigger finds it for a typed answer (see docs/design.md).
 */
import type { IDataObject } from 'n8n-workflow';
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import type { ItemInput } from '../validation';

/** What marks a message as a question waiting for its answer: its reference starts with it, then the kind and the resume URL. */
export const WAITING_REFERENCE = 'n8n-wait:';
export const REFERENCE_KIND = { approval: 'a:', freeText: 't:' } as const;

/** Bird's platforms whose messages carry reply buttons. */
const BUTTON_PLATFORMS = ['whatsapp', 'telegram', 'facebook', 'instagram', 'line', 'rcs'];

/** WhatsApp's longest reply-button title. */
const MAX_LABEL = 20;

/** Where a resume URL must fit: a button's payload and a message's reference. */
export const MAX_RESUME_URL = 256 - WAITING_REFERENCE.length - 2;

export interface Question {
	responseType: 'approval' | 'freeText';
	message: string;
	approveLabel: string;
	/** Set for Approve and Disapprove. */
	disapproveLabel?: string;
	answerIn: 'auto' | 'chat' | 'link';
	linkLabel: string;
	formTitle: string;
	formButtonLabel: string;
	waitTill: Date;
}

/** When the wait ends without an answer: Limit Wait Time, or never. */
function readWaitTill(input: ItemInput, now: number): Date {
	const limit = (input.raw('options.limitWaitTime.values') ?? {}) as IDataObject;
	if (!Object.keys(limit).length) return WAIT_INDEFINITELY;
	const field = { label: 'Options › Limit Wait Time', path: 'options.limitWaitTime' };
	if ((limit.limitType ?? 'afterTimeInterval') === 'atSpecifiedTime') {
		const at = new Date(String(limit.maxDateAndTime ?? ''));
		if (Number.isNaN(at.getTime())) input.fail(field, `"${String(limit.maxDateAndTime ?? '')}" is not a date and time`, '2026-12-24T10:00:00');
		if (at.getTime() <= now) input.fail(field, `${at.toISOString()} has passed: the wait would end at once`, new Date(now + 86_400_000).toISOString().slice(0, 16));
		return at;
	}
	const amount = input.number(limit.resumeAmount ?? 1, { label: 'Options › Limit Wait Time › Amount', path: 'options.limitWaitTime.values.resumeAmount' }, { required: true, min: 0.01, example: '45' }) as number;
	const unit = String(limit.resumeUnit ?? 'hours');
	const ms = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 }[unit];
	if (!ms) input.fail(field, `"${unit}" is not a unit`, 'minutes, hours or days');
	return new Date(now + amount * (ms as number));
}

/** Reads and checks one item's question; fails the item before anything is sent. */
export function readQuestion(input: ItemInput, now = Date.now()): Question {
	const responseType = input.param('responseType', 'Response Type') ?? 'approval';
	if (responseType !== 'approval' && responseType !== 'freeText') {
		input.fail({ label: 'Response Type', path: 'responseType' }, `"${responseType}" is not a response type`, 'approval or freeText');
	}
	const message = input.param('message', 'Message', { required: true, maxLength: 4000, example: 'Can you make it on Tuesday at 10:00?' }) as string;
	const approval = (input.raw('approvalOptions.values') ?? {}) as IDataObject;
	const label = (name: string, display: string, fallback: string) => {
		const text = input.text(approval[name] ?? fallback, { label: `Approval Options › ${display}`, path: `approvalOptions.values.${name}` }, { required: true, example: fallback }) as string;
		if ([...text].length > MAX_LABEL) {
			input.fail({ label: `Approval Options › ${display}`, path: `approvalOptions.values.${name}` }, `"${text}" has ${[...text].length} characters; WhatsApp shows at most ${MAX_LABEL} on a button`, fallback);
		}
		return text;
	};
	const answerIn = input.param('answerIn', 'Answer In') ?? 'auto';
	if (!['auto', 'chat', 'link'].includes(answerIn)) input.fail({ label: 'Answer In', path: 'answerIn' }, `"${answerIn}" is not a choice`, 'auto, chat or link');
	return {
		responseType,
		message,
		approveLabel: responseType === 'approval' ? label('approveLabel', 'Approve Button Label', '✓ Approve') : '',
		disapproveLabel: responseType === 'approval' && approval.approvalType === 'double' ? label('disapproveLabel', 'Disapprove Button Label', '✗ Decline') : undefined,
		answerIn: answerIn as Question['answerIn'],
		linkLabel: input.param('options.messageButtonLabel', 'Options › Link Label') || 'Respond',
		formTitle: input.param('options.responseFormTitle', 'Options › Response Form Title') ?? '',
		formButtonLabel: input.param('options.responseFormButtonLabel', 'Options › Response Form Button Label') || 'Submit',
		waitTill: readWaitTill(input, now),
	};
}

/** In the chat or by link, for a channel of this platform (`whatsapp`, `sms-messagebird`, …). */
export function routeFor(question: Question, platformId: string): 'chat' | 'link' {
	if (question.answerIn !== 'auto') return question.answerIn;
	const platform = platformId.toLowerCase().split('-')[0];
	if (platform === 'email') return 'link';
	// Free text needs only a reply, which any messaging channel takes; a button needs a platform with buttons.
	return question.responseType === 'freeText' || BUTTON_PLATFORMS.includes(platform) ? 'chat' : 'link';
}

/** The signed resume URLs of the waiting execution: approve (also Free Text's) and, for two buttons, disapprove. */
export interface ResumeUrls {
	approve: string;
	disapprove?: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** An email's button, styled as n8n's send-and-wait emails style theirs. */
function emailButton(label: string, url: string, primary: boolean): string {
	const style = primary
		? 'display:inline-block;text-decoration:none;background-color:#ff6d5a;color:#fff;padding:12px 24px;font-family:Arial,sans-serif;font-size:14px;font-weight:600;border-radius:6px;min-width:120px;margin:12px 4px 0 4px;'
		: 'display:inline-block;text-decoration:none;background-color:#fff;color:#4a4a4a;padding:12px 24px;font-family:Arial,sans-serif;font-size:14px;font-weight:600;border-radius:6px;border:1px solid #d1d1d1;min-width:120px;margin:12px 4px 0 4px;';
	return `<a href="${escapeHtml(url)}" target="_blank" style="${style}">${escapeHtml(label)}</a>`;
}

/**
 * The question as Bird message content (`{type, [type]: …}`) for its route and platform, and the
 * reference that marks it as waiting.
 */
export function questionContent(question: Question, route: 'chat' | 'link', platformId: string, urls: ResumeUrls): { body: IDataObject; reference: string } {
	const reference = `${WAITING_REFERENCE}${REFERENCE_KIND[question.responseType]}${urls.approve}`;
	const choices = question.responseType === 'approval' ? [{ label: question.approveLabel, url: urls.approve }, ...(question.disapproveLabel && urls.disapprove ? [{ label: question.disapproveLabel, url: urls.disapprove }] : [])] : [];
	if (route === 'chat') {
		const actions = choices.map((choice) => ({ type: 'postback', postback: { text: choice.label, payload: choice.url } }));
		return { reference, body: { type: 'text', text: { text: question.message, ...(actions.length ? { actions } : {}) } } };
	}
	const links = choices.length ? choices : [{ label: question.linkLabel, url: urls.approve }];
	if (platformId.toLowerCase().startsWith('email')) {
		const subject = question.formTitle || question.message.split('\n')[0].slice(0, 120);
		const html = [
			'<table role="presentation" width="100%" style="font-family:Arial,sans-serif;"><tr><td align="center">',
			`<table role="presentation" style="max-width:448px;text-align:center;"><tr><td><p style="white-space:pre-line;font-size:15px;color:#333;">${escapeHtml(question.message)}</p>`,
			links.map((link, n) => emailButton(link.label, link.url, n === 0)).join(''),
			'</td></tr></table></td></tr></table>',
		].join('');
		const text = `${question.message}\n\n${links.map((link) => `${link.label}: ${link.url}`).join('\n')}`;
		return { reference, body: { type: 'html', html: { html, text, metadata: { subject } } } };
	}
	return { reference, body: { type: 'text', text: { text: `${question.message}\n\n${links.map((link) => `${link.label}: ${link.url}`).join('\n')}` } } };
}
