import { ref, toRaw } from 'vue';
import { api, ApiError, NetworkError, newKey } from './api';

/**
 * The village cadre's bad signal (issue 20): a lead and its photos are kept in IndexedDB until
 * they are sent, each with its own Idempotency-Key (the service answers a replay with the first
 * answer, so a lead is opened once however often it is sent); a refusal keeps everything typed
 * and photographed beside the service's message.
 */
export interface QueuedPhoto { name: string; type: string; blob: Blob; evidenceType: string; evidenceId?: string }
export interface QueuedLead {
  id: string;
  key: string;
  procedure: string;
  body: Record<string, unknown>;
  householdName: string;
  photos: QueuedPhoto[];
  status: 'waiting' | 'refused' | 'sent';
  error?: { message: string; code: string; details?: Record<string, unknown> };
  caseId?: string;
  createdAt: string;
  owner: string;
}

const DB = 'console-offline';
const STORE = 'leads';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => { resolve(req.result); db.close(); };
    t.onerror = () => { reject(t.error); db.close(); };
  });
}

export const queue = ref<QueuedLead[]>([]);

export async function refresh(owner: string | undefined): Promise<void> {
  const all = await tx<QueuedLead[]>('readonly', (s) => s.getAll() as IDBRequest<QueuedLead[]>);
  queue.value = all.filter((l) => l.owner === owner).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** A plain copy (IndexedDB clones no Vue proxy); the photos' Blobs are kept as they are. */
function plain(lead: QueuedLead): QueuedLead {
  const raw = toRaw(lead);
  return {
    ...raw,
    body: JSON.parse(JSON.stringify(toRaw(raw.body))),
    photos: toRaw(raw.photos).map((p) => ({ ...toRaw(p), blob: toRaw(p).blob })),
    error: raw.error ? JSON.parse(JSON.stringify(toRaw(raw.error))) : undefined,
  };
}

async function put(lead: QueuedLead): Promise<void> {
  await tx('readwrite', (s) => s.put(plain(lead)));
}

export async function remove(id: string, owner: string): Promise<void> {
  await tx('readwrite', (s) => s.delete(id));
  await refresh(owner);
}

export async function enqueue(owner: string, procedure: string, body: Record<string, unknown>, householdName: string, photos: QueuedPhoto[]): Promise<QueuedLead> {
  const lead: QueuedLead = { id: newKey(), key: newKey(), procedure, body, householdName, photos, status: 'waiting', createdAt: new Date().toISOString(), owner };
  await put(lead);
  await refresh(owner);
  return lead;
}

/** A refused lead sent again (after the cause was put right). */
export async function retry(lead: QueuedLead, owner: string): Promise<void> {
  await put({ ...lead, status: 'waiting', error: undefined });
  await refresh(owner);
}

let running: Promise<void> | null = null;
/** Sends every waiting lead, one at a time; at most one run at once. */
export function flush(owner: string): Promise<void> {
  running ??= run(owner).finally(() => (running = null));
  return running;
}

async function run(owner: string): Promise<void> {
  await refresh(owner);
  for (const lead of queue.value.filter((l) => l.status === 'waiting' || (l.status === 'sent' && l.photos.some((p) => !p.evidenceId)))) {
    try {
      if (!lead.caseId) {
        const view = await api(`/procedures/${lead.procedure}/cases`, { body: lead.body, idempotencyKey: lead.key });
        lead.caseId = view.id;
        await put({ ...lead });
      }
      for (const p of lead.photos) {
        if (p.evidenceId) continue;
        const form = new FormData();
        form.append('type', p.evidenceType);
        form.append('caseId', lead.caseId!);
        form.append('file', new File([p.blob], p.name, { type: p.type }));
        const saved = await api('/evidence', { form });
        p.evidenceId = saved.id;
        await put({ ...lead });
      }
      lead.status = 'sent';
      await put({ ...lead });
    } catch (e) {
      if (e instanceof NetworkError) break;
      if (e instanceof ApiError) {
        lead.status = lead.caseId ? 'sent' : 'refused';
        lead.error = { message: e.body.message, code: e.body.code, details: e.body.details };
        await put({ ...lead });
      } else throw e;
    }
  }
  await refresh(owner);
}
