/** A session's client in words, parsed with bowser (src/services/user-agent.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeUserAgent } from '../src/services/user-agent.ts';

describe('describeUserAgent', () => {
  it('names the browser and its system, or the tool, or says it does not know', () => {
    assert.equal(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'), 'Chrome on Linux');
    assert.equal(
      describeUserAgent(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      ),
      'Safari on iOS',
    );
    assert.equal(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'), 'Firefox on Windows');
    assert.equal(describeUserAgent('curl/8.5.0'), 'curl');
    assert.equal(describeUserAgent('python-requests/2.32.3'), 'python-requests');
    assert.equal(describeUserAgent('???'), 'Unknown client');
    assert.equal(describeUserAgent(null), null);
    assert.equal(describeUserAgent('  '), null);
  });
});
