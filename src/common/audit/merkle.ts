import { createHash } from 'node:crypto';

/**
 * The Merkle tree hash of RFC 6962 (§2.1), as Certificate Transparency logs compute it: a leaf
 * is SHA-256(0x00 ‖ data), an interior node SHA-256(0x01 ‖ left ‖ right), a tree of n leaves
 * splits at the largest power of two below n (no duplicated odd node), the empty tree is
 * SHA-256 of nothing. Any party can recompute a root with a standard library.
 */
export function merkleLeafHash(data: Buffer | string): Buffer {
  return createHash('sha256').update(Buffer.from([0])).update(data).digest();
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(Buffer.from([1])).update(left).update(right).digest();
}

/** The root over leaf hashes already computed (merkleLeafHash), in their order. */
export function merkleRootOfHashes(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(merkleRootOfHashes(leaves.slice(0, k)), merkleRootOfHashes(leaves.slice(k)));
}

/** The root over the leaves' data, in order, as lowercase hex. */
export function merkleRoot(leaves: Array<Buffer | string>): string {
  return merkleRootOfHashes(leaves.map(merkleLeafHash)).toString('hex');
}

/** One chain head as a checkpoint leaf: its key, its length and its last hash. */
export interface ChainHead {
  chain: string;
  seq: number;
  hash: string;
}

/** The leaf data of a chain head: `chain`, `seq` and `hash` separated by newlines (no key holds one). */
export function headLeaf(h: ChainHead): string {
  return `${h.chain}\n${h.seq}\n${h.hash}`;
}

/** The checkpoint root over chain heads, sorted by chain key so the order is the data's own. */
export function checkpointRoot(heads: ChainHead[]): string {
  const sorted = [...heads].sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
  return merkleRoot(sorted.map(headLeaf));
}
