import { describe, expect, it } from 'vitest';
import { hubCacheDirFromEnv, hubUrlFromEnv, repoFolderName, snapshotDir } from '../../src/hub/index.js';

describe('hubCacheDirFromEnv', () => {
  it('follows huggingface_hub precedence: HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, HF_HOME, XDG_CACHE_HOME, home', () => {
    expect(hubCacheDirFromEnv({ HF_HUB_CACHE: '/c', HF_HOME: '/h' }, '/home/u')).toBe('/c');
    expect(hubCacheDirFromEnv({ HUGGINGFACE_HUB_CACHE: '/old', HF_HOME: '/h' }, '/home/u')).toBe('/old');
    expect(hubCacheDirFromEnv({ HF_HOME: '/h', XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/h/hub');
    expect(hubCacheDirFromEnv({ XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/x/huggingface/hub');
    expect(hubCacheDirFromEnv({ HF_HOME: '' }, '/home/u')).toBe('/home/u/.cache/huggingface/hub');
  });
});

describe('hubUrlFromEnv', () => {
  it('uses HF_ENDPOINT without a trailing slash, else the public hub', () => {
    expect(hubUrlFromEnv({ HF_ENDPOINT: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9');
    expect(hubUrlFromEnv({})).toBe('https://huggingface.co');
  });
});

describe('cache layout', () => {
  it('names repository folders and snapshots like huggingface_hub', () => {
    expect(repoFolderName('org/name')).toBe('models--org--name');
    expect(repoFolderName('org/name', 'dataset')).toBe('datasets--org--name');
    expect(snapshotDir('/c', 'org/name', 'f'.repeat(40))).toBe(`/c/models--org--name/snapshots/${'f'.repeat(40)}`);
  });
});
