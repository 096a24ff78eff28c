/**
 * Runs this package's nodes the way n8n does: the built package is loaded from dist/ by
 * n8n-core's own PackageDirectoryLoader, a workflow is executed by n8n-core's
 * WorkflowExecute (declarative nodes go through n8n-core's RoutingNode), resource-locator
 * searches run in n8n-core's LoadOptionsContext, and the credential test runs the way
 * n8n's CredentialsTester runs it (the test request as the routing of a stand-in node).
 * Only the credential store is ours: it hands out the test credential and applies the
 * credential's own `authenticate`.
 */
import {
	ExecuteContext,
	ExecutionLifecycleHooks,
	LoadOptionsContext,
	PackageDirectoryLoader,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import type {
	ExecutionError,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	IBinaryKeyData,
	IDataObject,
	IHttpRequestOptions,
	INodePropertyOptions,
	ResourceMapperFields,
	INode,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createDeferredPromise, createEmptyRunExecutionData, ICredentialsHelper, Workflow } from 'n8n-workflow';
import path from 'node:path';

/** Reads a dotted path, as the tester's lodash.get does. */
function get(object: unknown, key: string): unknown {
	return key.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], object);
}

export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
/** A made-up key, easy to grep for in outputs and errors. */
export const ACCESS_KEY = 'test-access-key-7f3a9c2e5b1d';
export const WORKSPACE_ID = 'bf89833c-380c-488a-ae9d-64477b455d74';
export const CHANNEL_ID = '5da69b04-d462-5efd-9b65-28dbae1e0482';
export const PACKAGE = 'n8n-nodes-bird';

let loading: Promise<PackageDirectoryLoader> | undefined;

/** The package as n8n loads it: package.json's n8n field, files from dist/. */
export async function loadPackage(): Promise<PackageDirectoryLoader> {
	loading ??= (async () => {
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		return loader;
	})();
	return await loading;
}

/**
 * Loads the package again from dist/, as a new n8n process would: module-level state (pacing,
 * caches, what a trigger remembers in memory) starts empty; static data is the caller's.
 */
export function reloadPackage(): void {
	// Jest keeps its own module registry; n8n-core's loader requires the node files through it.
	jest.resetModules();
	loading = undefined;
}

/** A stand-in for the node that made a test's items; it has run already and never runs again. */
const INPUT_NODE: INodeType = {
	description: {
		displayName: 'Input',
		name: 'testInput',
		group: ['input'],
		version: 1,
		description: '',
		defaults: {},
		inputs: [],
		outputs: ['main'],
		properties: [],
	},
};

export class PackageNodeTypes implements INodeTypes {
	constructor(
		private readonly loader: PackageDirectoryLoader,
		private readonly extra: Record<string, INodeType> = {},
	) {}

	getByName(type: string): INodeType | IVersionedNodeType {
		if (this.extra[type]) return this.extra[type];
		// The loader keys nodes by their bare name; workflows store `<package>.<name>`.
		const entry = this.loader.nodeTypes[type.replace(`${PACKAGE}.`, '')];
		if (!entry) throw new Error(`Unknown node type ${type}`);
		return entry.type;
	}

	getByNameAndVersion(type: string): INodeType {
		return this.getByName(type) as INodeType;
	}

	getKnownTypes() {
		return {};
	}
}

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly loader: PackageDirectoryLoader,
		private readonly credentials: ICredentialDataDecryptedObject,
	) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const type = this.loader.credentialTypes[typeName].type;
		if (typeof type.authenticate !== 'function') throw new Error('expected an authenticate function');
		return await type.authenticate(credentials, requestOptions);
	}

	async preAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used');
	}

	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		return { ...this.credentials };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties() {
		return [];
	}
}

export function credentialsFor(baseUrl: string, overrides: IDataObject = {}): ICredentialDataDecryptedObject {
	return { apiKey: ACCESS_KEY, workspaceId: WORKSPACE_ID, baseUrl, ...overrides };
}

export function additionalDataFor(
	loader: PackageDirectoryLoader,
	credentials: ICredentialDataDecryptedObject,
	hooks?: ExecutionLifecycleHooks,
	overrides: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	return {
		hooks,
		credentialsHelper: new TestCredentialsHelper(loader, credentials),
		executionId: `test-execution-${Math.random().toString(36).slice(2)}`,
		currentNodeParameters: undefined,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		variables: {},
		userId: 'test-user',
		...overrides,
	} as unknown as IWorkflowExecuteAdditionalData;
}

export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

function nodeFor(type: string, parameters: IDataObject, onError: OnError = 'stopWorkflow', typeVersion = 1): INode {
	return {
		id: 'bird-node',
		name: 'Bird',
		type: type.includes('.') ? type : `${PACKAGE}.${type}`,
		typeVersion,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		credentials: { birdChannelsApi: { id: 'cred-1', name: 'Bird test' } },
		...(onError === 'stopWorkflow' ? {} : { onError }),
	};
}

export interface NodeRun {
	/** Items per output of the node (one array per output). */
	outputs: INodeExecutionData[][];
	/** The node's error when it failed the execution. */
	error?: ExecutionError;
	run: IRun;
}

/** Executes one node of this package on `items`, as n8n would after an upstream node produced them. */
export async function runNode(opts: {
	type: string;
	parameters: IDataObject;
	items?: IDataObject[];
	credentials: ICredentialDataDecryptedObject;
	/** Shorthand for onError: 'continueRegularOutput'. */
	continueOnFail?: boolean;
	onError?: OnError;
	mode?: WorkflowExecuteMode;
	/** The node's typeVersion (default 1: what workflows saved with 0.1.0 have). */
	typeVersion?: number;
	/** Binary data of the input items, by index (as an earlier node such as Read Files makes it). */
	binary?: Array<IBinaryKeyData | undefined>;
	/** n8n's node setting Retry On Fail: n8n runs the node up to this many times while it throws (no wait between tries). */
	retryOnFail?: number;
}): Promise<NodeRun> {
	const loader = await loadPackage();
	const node = nodeFor(opts.type, opts.parameters, opts.onError ?? (opts.continueOnFail ? 'continueRegularOutput' : 'stopWorkflow'), opts.typeVersion);
	if (opts.retryOnFail) Object.assign(node, { retryOnFail: true, maxTries: opts.retryOnFail, waitBetweenTries: 0 });
	// The items come from an upstream node that already ran, as in a real workflow: n8n looks up
	// an item's source (pairedItem) there, for instance to put the input beside an error.
	const upstream: INode = { id: 'input-node', name: 'Input', type: 'testInput', typeVersion: 1, position: [0, 0], parameters: {} };
	const connections = { Input: { main: [[{ node: node.name, type: 'main' as const, index: 0 }]] } };
	const workflow = new Workflow({
		id: 'test-workflow',
		nodes: [upstream, node],
		connections,
		active: false,
		nodeTypes: new PackageNodeTypes(loader, { testInput: INPUT_NODE }),
	});
	const mode = opts.mode ?? 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, 'test-execution', {
		id: 'test-workflow',
		name: 'test',
		nodes: [upstream, node],
		connections,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const done = createDeferredPromise<IRun>();
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => done.resolve(fullRunData));

	const items = (opts.items ?? [{}]).map((json, item) =>
		opts.binary?.[item] ? { json, binary: opts.binary[item], pairedItem: { item } } : { json, pairedItem: { item } },
	);
	const runExecutionData = {
		resultData: { runData: { Input: [{ startTime: 0, executionTime: 0, executionIndex: 0, source: [], data: { main: [items] } }] } },
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: [{ node, data: { main: [items] }, source: { main: [{ previousNode: 'Input', previousNodeOutput: 0, previousNodeRun: 0 }] } }],
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	} as unknown as IRunExecutionData;

	const execute = new WorkflowExecute(additionalDataFor(loader, opts.credentials, hooks), mode, runExecutionData);
	await execute.processRunExecutionData(workflow);
	const run = await done.promise;
	const task = run.data.resultData.runData.Bird?.[0];
	return {
		outputs: (task?.data?.main ?? []).map((output) => output ?? []),
		error: task?.error ?? run.data.resultData.error,
		run,
	};
}

/** Calls a node's resource-locator search the way the editor does (n8n-core's LoadOptionsContext). */
export async function searchList(opts: {
	type: string;
	method: string;
	credentials: ICredentialDataDecryptedObject;
	filter?: string;
	paginationToken?: string;
	parameters?: IDataObject;
}): Promise<INodeListSearchResult> {
	const loader = await loadPackage();
	const nodeTypes = new PackageNodeTypes(loader);
	const node = nodeFor(opts.type, opts.parameters ?? {});
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const nodeType = nodeTypes.getByName(node.type) as INodeType;
	const search = nodeType.methods?.listSearch?.[opts.method];
	if (!search) throw new Error(`${opts.type} has no listSearch method ${opts.method}`);
	const context = new LoadOptionsContext(workflow, node, additionalDataFor(loader, opts.credentials), '');
	return await search.call(context, opts.filter, opts.paginationToken);
}

/**
 * Calls a node's loadOptions or resourceMapping method the way the editor does, with the node's
 * current parameters (n8n-core's LoadOptionsContext).
 */
export async function loadOptions(opts: {
	type: string;
	kind: 'loadOptions' | 'resourceMapping';
	method: string;
	credentials: ICredentialDataDecryptedObject;
	parameters?: IDataObject;
	typeVersion?: number;
}): Promise<INodePropertyOptions[] | ResourceMapperFields> {
	const loader = await loadPackage();
	const nodeTypes = new PackageNodeTypes(loader);
	const node = nodeFor(opts.type, opts.parameters ?? {}, 'stopWorkflow', opts.typeVersion ?? 1.1);
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const nodeType = nodeTypes.getByName(node.type) as INodeType;
	const method = (nodeType.methods?.[opts.kind] as Record<string, (this: LoadOptionsContext) => Promise<unknown>> | undefined)?.[opts.method];
	if (!method) throw new Error(`${opts.type} has no ${opts.kind} method ${opts.method}`);
	const context = new LoadOptionsContext(workflow, node, additionalDataFor(loader, opts.credentials), '');
	return (await method.call(context)) as INodePropertyOptions[] | ResourceMapperFields;
}

/**
 * The credential's test, as n8n's CredentialsTester (2.x) runs it: `test.request` becomes
 * the routing of a stand-in node run by n8n-core's RoutingNode; a thrown error fails the
 * test with its message, and a `responseSuccessBody` rule fails it when the answer's value
 * at `key` equals the rule's value.
 */
export async function testCredential(
	credentials: ICredentialDataDecryptedObject,
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const loader = await loadPackage();
	const testRequest = loader.credentialTypes.birdChannelsApi.type.test as ICredentialTestRequest;
	const standIn: INodeType = {
		description: {
			displayName: 'Credential test',
			name: 'credentialTest',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'birdChannelsApi', required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: testRequest.request } },
			],
		},
	};
	const nodeTypes = new PackageNodeTypes(loader, { credentialTest: standIn });
	const node = { ...nodeFor('credentialTest', {}), type: 'credentialTest' };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const inputData = { main: [[{ json: {} }]] };
	const context = new ExecuteContext(
		workflow,
		node,
		additionalDataFor(loader, credentials),
		'internal',
		createEmptyRunExecutionData(),
		0,
		[],
		inputData,
		{ node, data: {}, source: null },
		[],
	);
	let response: INodeExecutionData[][];
	try {
		response = (await new RoutingNode(context, standIn, {
			id: 'cred-1',
			name: 'Bird test',
			type: 'birdChannelsApi',
			data: credentials,
		}).runNode()) ?? [[]];
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	for (const rule of testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && get(response[0][0].json, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
