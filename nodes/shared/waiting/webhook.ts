/**
 * The waiting webhook of a send-and-wait node: n8n calls it at the signed resume URL (having
 * checked the signature) while the execution waits at this node, and its `workflowData` becomes
 * the node's output: `{data: {approved, …}}` or `{data: {text, …}}`, as n8n's own nodes give.
 *
 * Two callers: the Bird Channels Trigger posting an answer from the chat (JSON `birdAnswer`),
 * and a contact's browser opening a link (a page, then a form post). n8n resumes an execution
 * once; a later call finds it answered and gets n8n's own "No action required" page.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { confirmPage, formPage, recordedPage } from './pages';

/** What the trigger posts for an answer given in the chat. */
export interface ChatAnswer {
	/** For Approval: the choice (the tapped button's, or the typed yes or no). */
	approved?: boolean;
	/** The words of the answer: the typed text, or the tapped button's label. */
	text: string | null;
	/** The tapped button, when the answer was a tap. */
	button?: { text: string | null; payload: string | null } | null;
	/** The answer's message, and the question it answers. */
	messageId: string | null;
	questionId?: string | null;
	contact?: IDataObject | null;
	channelId?: string | null;
}

/** Link previews and scanners fetch links without a person: they must not answer. */
const AUTOMATED_AGENT = /bot|crawl|spider|preview|facebookexternalhit|whatsapp|telegram|slack|discord|skype|teams|linkedin|embedly|pinterest|outlook|safelinks|proofpoint|mimecast/i;

const output = (data: IDataObject): IWebhookResponseData['workflowData'] => [[{ json: { data: { ...data, respondedAt: new Date().toISOString() } }, pairedItem: { item: 0 } }]];

export async function sendAndWaitWebhook(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = context.getRequestObject();
	const response = context.getResponseObject();
	const responseType = context.getNodeParameter('responseType', 'approval') as string;
	const approved = request.query?.approved === 'true';
	const body = (context.getBodyData() ?? {}) as IDataObject;

	const fromChat = request.method === 'POST' && body.birdAnswer && typeof body.birdAnswer === 'object';
	if (fromChat) {
		const answer = body.birdAnswer as ChatAnswer;
		const via = { answeredVia: 'chat', messageId: answer.messageId ?? null, questionId: answer.questionId ?? null, contact: answer.contact ?? null };
		const data = responseType === 'freeText' ? { text: answer.text, ...via } : { approved: answer.approved ?? approved, text: answer.text, ...via };
		return { webhookResponse: { resumed: true }, workflowData: output(data) };
	}

	const agent = String(request.headers?.['user-agent'] ?? '');
	if (!agent || AUTOMATED_AGENT.test(agent)) {
		response.status(204).end();
		return { noWebhookResponse: true };
	}
	const message = String(context.getNodeParameter('message', ''));
	if (responseType === 'freeText') {
		if (request.method !== 'POST') {
			const title = String(context.getNodeParameter('options.responseFormTitle', '') ?? '');
			const button = String(context.getNodeParameter('options.responseFormButtonLabel', 'Submit') || 'Submit');
			response.status(200).type('html').send(formPage(title, message, button));
			return { noWebhookResponse: true };
		}
		const text = typeof body.response === 'string' ? body.response : String((body as { data?: IDataObject }).data?.response ?? '');
		return { webhookResponse: recordedPage(), workflowData: output({ text, answeredVia: 'link' }) };
	}
	if (request.method !== 'POST') {
		const options = (context.getNodeParameter('approvalOptions.values', {}) ?? {}) as IDataObject;
		const label = approved ? String(options.approveLabel || '✓ Approve') : String(options.disapproveLabel || '✗ Decline');
		response.status(200).type('html').send(confirmPage(message, label));
		return { noWebhookResponse: true };
	}
	return { webhookResponse: recordedPage(), workflowData: output({ approved, answeredVia: 'link' }) };
}
