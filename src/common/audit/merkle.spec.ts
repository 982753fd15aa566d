import { createHash } from 'node:crypto';
import { checkpointRoot, headLeaf, merkleLeafHash, merkleRoot, merkleRootOfHashes } from './merkle';

// RFC 6962 reference inputs and the tree heads of sizes 1…8 (Certificate Transparency's test data)
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

describe('merkleRoot (RFC 6962)', () => {
  it('of no leaves is the SHA-256 of the empty string', () => {
    expect(merkleRoot([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it.each(CT_ROOTS.map((root, i) => [i + 1, root]))('matches the reference tree head of %i leaves', (n, root) => {
    expect(merkleRoot(CT_LEAVES.slice(0, n as number))).toBe(root);
  });

  it('is the leaf hash (0x00-prefixed) for one leaf, the 0x01-prefixed node hash for two', () => {
    const a = Buffer.from('a');
    const b = Buffer.from('b');
    expect(merkleRoot([a])).toBe(sha(Buffer.from([0]), a).toString('hex'));
    expect(merkleRoot([a, b])).toBe(sha(Buffer.from([1]), sha(Buffer.from([0]), a), sha(Buffer.from([0]), b)).toString('hex'));
  });

  it('splits at the largest power of two below n: three leaves are (ab)c, not a(bc) and not (ab)(cc)', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((s) => merkleLeafHash(s));
    const node = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);
    expect(merkleRootOfHashes([a, b, c])).toEqual(node(node(a, b), c));
    expect(merkleRootOfHashes([a, b, c])).not.toEqual(node(node(a, b), node(c, c)));
  });

  it('changes when any leaf of a larger tree changes, is added, removed or moved', () => {
    const leaves = Array.from({ length: 37 }, (_, i) => `leaf-${i}`);
    const root = merkleRoot(leaves);
    for (let i = 0; i < leaves.length; i++) {
      const changed = [...leaves];
      changed[i] = `${changed[i]}x`;
      expect(merkleRoot(changed)).not.toBe(root);
    }
    expect(merkleRoot(leaves.slice(0, -1))).not.toBe(root);
    expect(merkleRoot([...leaves, 'leaf-37'])).not.toBe(root);
    expect(merkleRoot([leaves[1], leaves[0], ...leaves.slice(2)])).not.toBe(root);
  });

  it('does not confuse a leaf with an interior node (second-preimage resistance of the prefixes)', () => {
    const [a, b] = [merkleLeafHash('a'), merkleLeafHash('b')];
    // the 64 bytes of an interior node's children, offered as one leaf, give another root
    expect(merkleRoot([Buffer.concat([a, b])])).not.toBe(merkleRoot(['a', 'b']));
  });
});

describe('checkpointRoot', () => {
  const heads = [
    { chain: 'case:b', seq: 3, hash: 'b'.repeat(64) },
    { chain: 'case:a', seq: 7, hash: 'a'.repeat(64) },
    { chain: 'measures:m', seq: 1, hash: 'c'.repeat(64) },
  ];

  it('is the Merkle root of the heads sorted by chain key, whatever order they come in', () => {
    const sorted = [heads[1], heads[0], heads[2]];
    expect(checkpointRoot(heads)).toBe(merkleRoot(sorted.map(headLeaf)));
    expect(checkpointRoot([...heads].reverse())).toBe(checkpointRoot(heads));
  });

  it('changes when a chain grows, when a head hash changes, or when a chain is left out', () => {
    const root = checkpointRoot(heads);
    expect(checkpointRoot([{ ...heads[0], seq: 4 }, heads[1], heads[2]])).not.toBe(root);
    expect(checkpointRoot([{ ...heads[0], hash: 'd'.repeat(64) }, heads[1], heads[2]])).not.toBe(root);
    expect(checkpointRoot(heads.slice(1))).not.toBe(root);
  });
});
