/**
 * Bird Trigger the way n8n runs it, with a real HTTP server on 127.0.0.1 in front:
 * - its webhook methods (checkExists, create, delete) run in n8n-core's HookContext, with the
 *   production or the test webhook URL, as on activation or "Listen for test event";
 * - the server receives deliveries at the node's webhook URLs and hands each one, raw body
 *   included, to the node's `webhook()` in n8n-core's WebhookContext, then does what n8n's
 *   webhook handler does with the answer: nothing more when the node answered itself
 *   (`noWebhookResponse`), otherwise 200, and an execution starts only when the node returned
 *   `workflowData`. Started executions are recorded in `started`.
 * Static data lives on between calls, as n8n saves it after each of them.
 */
import { HookContext, WebhookContext } from 'n8n-core';
import type {
	IBinaryKeyData,
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeType,
	IWebhookData,
	IWebhookResponseData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { additionalDataFor, loadPackage, PACKAGE, PackageNodeTypes } from './n8n';

export const WEBHOOK_ID = '7d1c3a52-8e8b-4c11-a2f0-5b0d9c7e6a41';
export const ORGANIZATION_ID = '0e1b4c8a-2f3d-4a5b-9c6d-7e8f9a0b1c2d';

export interface Answer {
	status: number;
	body: unknown;
}

export class TriggerHarness {
	/** The node's static data in production (saved by n8n in the database) and in a test run. */
	readonly staticData: Record<'production' | 'test', IDataObject> = { production: {}, test: {} };
	/** The items of every execution a delivery started, oldest first. */
	readonly started: IDataObject[][] = [];
	readonly answers: Answer[] = [];
	/** The binary data of the items of every execution a delivery started. */
	readonly startedBinary: Array<Array<IBinaryKeyData | undefined>> = [];
	url = '';
	/** The node's version: 1 as in workflows saved with 0.1.0, 2 for new ones. */
	typeVersion = 1;
	private server?: Server;

	constructor(
		public parameters: IDataObject,
		public credentials: ICredentialDataDecryptedObject,
	) {}

	/** The URL n8n gives this node: `<base>/webhook/<webhookId>/webhook`, or the `/webhook-test/` one. */
	webhookUrl(test = false): string {
		return `${this.url}/${test ? 'webhook-test' : 'webhook'}/${WEBHOOK_ID}/webhook`;
	}

	async start(): Promise<this> {
		this.server = createServer((req, res) => {
			void this.receive(req, res).catch((error: Error) => {
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ message: error.message }));
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private async setup(test: boolean) {
		const loader = await loadPackage();
		const nodeTypes = new PackageNodeTypes(loader);
		const node: INode = {
			id: 'bird-trigger-node',
			name: 'Bird Trigger',
			type: `${PACKAGE}.birdTrigger`,
			typeVersion: this.typeVersion,
			position: [0, 0],
			webhookId: WEBHOOK_ID,
			parameters: this.parameters as INode['parameters'],
			credentials: { birdChannelsApi: { id: 'cred-1', name: 'Bird test' } },
		};
		const workflow = new Workflow({
			id: 'trigger-workflow',
			nodes: [node],
			connections: {},
			active: !test,
			nodeTypes,
			staticData: { [`node:${node.name}`]: this.staticData[test ? 'test' : 'production'] },
		});
		const nodeType = nodeTypes.getByName(node.type) as INodeType;
		const additionalData = additionalDataFor(loader, this.credentials, undefined, {
			webhookBaseUrl: `${this.url}/webhook`,
			webhookTestBaseUrl: `${this.url}/webhook-test`,
		});
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: node.name,
			path: `${WEBHOOK_ID}/webhook`,
			webhookDescription: nodeType.description.webhooks![0],
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
			isTest: test,
		};
		return { workflow, node, nodeType, additionalData, webhookData };
	}

	/** Runs one of the node's webhook methods, as n8n does on activation, deactivation or a test listener. */
	async hook(method: 'checkExists' | 'create' | 'delete', opts: { test?: boolean } = {}): Promise<boolean> {
		const test = opts.test ?? false;
		const { workflow, node, nodeType, additionalData, webhookData } = await this.setup(test);
		const mode: WorkflowExecuteMode = test ? 'manual' : 'trigger';
		const activation: WorkflowActivateMode = test ? 'manual' : 'activate';
		const context = new HookContext(workflow, node, additionalData, mode, activation, webhookData);
		return await nodeType.webhookMethods!.default![method]!.call(context);
	}

	private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		const test = (req.url ?? '').startsWith('/webhook-test/');
		let answered = false;
		const reply = (status: number, body: unknown) => {
			answered = true;
			this.answers.push({ status, body });
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		const response = {
			statusCode: 200,
			status(code: number) {
				this.statusCode = code;
				return this;
			},
			json(body: unknown) {
				reply(this.statusCode, body);
				return this;
			},
		};
		// n8n parses an application/json body before any node sees it, and answers 422 when it cannot.
		let body: unknown = {};
		if (String(req.headers['content-type']).startsWith('application/json') && rawBody.length) {
			try {
				body = JSON.parse(rawBody.toString('utf8'));
			} catch {
				reply(422, { message: 'Failed to parse request body' });
				return;
			}
		}
		const { workflow, node, nodeType, webhookData, additionalData } = await this.setup(test);
		const request = { headers: req.headers, method: req.method, url: req.url, rawBody, body, query: {}, params: {} };
		const context = new WebhookContext(
			workflow,
			node,
			{ ...additionalData, httpRequest: request, httpResponse: response } as never,
			test ? 'manual' : 'webhook',
			webhookData,
			[],
			null,
		);
		const result: IWebhookResponseData = await nodeType.webhook!.call(context);
		if (result.workflowData) {
			this.started.push(result.workflowData[0].map((item) => item.json));
			this.startedBinary.push(result.workflowData[0].map((item) => item.binary));
		}
		if (!answered && !result.noWebhookResponse) {
			// As n8n answers in onReceived mode: the node's webhookResponse when its webhook sets no responseData, else n8n's own words.
			const own = webhookData.webhookDescription.responseData === '' && result.webhookResponse !== undefined;
			reply(200, own ? result.webhookResponse : { message: result.workflowData ? 'Workflow was started' : 'Webhook call received' });
		}
	}
}

/** A harness for one test file: started before its tests, stopped after them. */
export function useTriggerHarness(parameters: IDataObject, credentials: () => ICredentialDataDecryptedObject): TriggerHarness {
	const harness = new TriggerHarness(parameters, {});
	beforeAll(async () => {
		await harness.start();
		harness.credentials = credentials();
	});
	beforeEach(() => {
		harness.credentials = credentials();
	});
	afterAll(async () => {
		await harness.stop();
	});
	return harness;
}

/** POSTs raw bytes with the given headers to a URL; the answer's status and JSON body. */
export async function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<Answer> {
	const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', connection: 'close', ...headers } });
	const text = await response.text();
	let parsed: unknown = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = text;
	}
	return { status: response.status, body: parsed };
}
