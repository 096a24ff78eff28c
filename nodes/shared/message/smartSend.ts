/**
 * Smart send: what Send Message and Reply do when WhatsApp's 24-hour service window with the
 * recipient is closed. "Send anyway" (the default) checks nothing, as before; "send a template
 * instead" checks the window and, when it is closed, sends the fallback template in place of
 * the message; "fail the item" checks and sends nothing when it is closed. Only WhatsApp
 * channels have a window: on other platforms nothing is checked and the message goes out.
 *
 * One check per item, with Check Service Window's lookup (a contact Bird does not know counts as
 * closed), paced at Bird's read limit. The item's output says what went out (`sentAs`) and the
 * window it saw (`serviceWindow`, null where the platform has none).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { hasServiceWindow } from '../lookups';
import type { WindowQuery } from '../serviceWindow/check';
import { checkWindow } from '../serviceWindow/check';
import type { ServiceWindow } from '../serviceWindow/evaluate';
import type { DeliverySettings } from '../transport/request';
import type { ItemInput } from '../validation';
import { FALLBACK_TEMPLATE, readTemplate, templateFields } from './templates';

export interface SmartSend {
	policy: 'template' | 'fail';
	/** The template to send instead (policy "template"). */
	fallback?: IDataObject;
}

export interface SmartSendOutcome {
	sentAs: 'free-form' | 'template';
	serviceWindow: ServiceWindow | null;
}

/** The smart-send fields, shown for the message types listed (every type but Template). */
export function smartSendProperties(freeFormTypes: string[]): INodeProperties[] {
	return [
		{
			displayName: 'If Service Window Is Closed',
			name: 'ifWindowClosed',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Send Anyway',
					value: 'send',
					description: 'No check. WhatsApp refuses free-form messages outside the window, and the item fails then.',
				},
				{
					name: 'Send a Template Instead',
					value: 'template',
					description: 'Check the window first; when it is closed, send the template chosen below instead',
				},
				{
					name: 'Fail the Item',
					value: 'fail',
					description: 'Check the window first; when it is closed, send nothing and fail the item',
				},
			],
			default: 'send',
			description:
				"WhatsApp delivers a free-form message only within 24 hours of the contact's last message. Other platforms have no window and are never checked.",
			displayOptions: { show: { messageType: freeFormTypes } },
		},
		...templateFields(FALLBACK_TEMPLATE, { messageType: freeFormTypes, ifWindowClosed: ['template'] }),
	];
}

/** Reads one item's smart-send fields; undefined when nothing is to be checked. */
export async function readSmartSend(input: ItemInput): Promise<SmartSend | undefined> {
	if ((input.param('messageType', 'Message Type') ?? 'text') === 'template') return undefined;
	const policy = input.param('ifWindowClosed', 'If Service Window Is Closed') ?? 'send';
	if (policy === 'send') return undefined;
	if (policy !== 'template' && policy !== 'fail') {
		input.fail({ label: 'If Service Window Is Closed', path: 'ifWindowClosed' }, `"${policy}" is not a choice`, 'send, template or fail');
	}
	return policy === 'template' ? { policy, fallback: await readTemplate(input, FALLBACK_TEMPLATE) } : { policy };
}

/** Who the window is checked for: `recipients` of the message, as `WindowQuery` fields; exactly one. */
export type WindowContact = Pick<WindowQuery, 'contactId' | 'identifier' | 'identifierValue'>;

/**
 * Checks the window (WhatsApp only) and, when it is closed, turns `message` into the fallback
 * template or fails the item. `message` holds `body` or `template` at its top.
 */
export async function applySmartSend(
	context: IExecuteFunctions,
	smart: SmartSend,
	at: { channel: IDataObject; contact: WindowContact; message: IDataObject },
	itemIndex: number,
	settings: DeliverySettings,
	halted?: () => boolean,
): Promise<SmartSendOutcome> {
	const { channel, contact, message } = at;
	if (!hasServiceWindow(channel)) return { sentAs: 'free-form', serviceWindow: null };
	const window = await checkWindow(context, { channelId: String(channel.id), minimumRemainingSeconds: 0, ...contact }, itemIndex, settings, halted);
	if (window.isOpen) return { sentAs: 'free-form', serviceWindow: window };
	const who = contact.identifierValue ?? contact.contactId ?? 'the contact';
	if (smart.policy === 'fail') {
		throw new NodeOperationError(context.getNode(), `The WhatsApp service window with ${who} is closed: the message was not sent (item ${itemIndex})`, {
			itemIndex,
			description: `Bird reports ${window.reason === 'unknownContact' ? 'no contact with this identifier, so no window' : window.expiresAt ? `a window that closed at ${window.expiresAt}` : 'no window'}. Outside the window WhatsApp delivers only templates: set If Service Window Is Closed to Send a Template Instead, or send this contact a template.`,
		});
	}
	delete message.body;
	message.template = smart.fallback;
	return { sentAs: 'template', serviceWindow: window };
}
