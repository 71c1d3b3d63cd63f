// The check of the shell steps users copy (scripts/lib/shell-steps.ts): what hides a failure, and what does not.
import { describe, expect, it } from 'vitest'
import { shellProblems } from '../scripts/lib/shell-steps.ts'

describe('shellProblems catches', () => {
  it.each([
    {
      name: 'a pipe before any set',
      script:
        'flow_id=$(tccli cynosdb RestartInstance | jq -er .FlowId)\necho "flow-id=$flow_id" >> "$GITHUB_OUTPUT"\n',
      problem: /^line 1: a pipe with no 'set -euo pipefail'/,
    },
    {
      name: 'a set that comes after the pipe',
      script: 'tccli cynosdb DescribeFlow | jq -e .Status\nset -euo pipefail\n',
      problem: /^line 1: a pipe/,
    },
    { name: 'set -e without pipefail', script: 'set -e\ntccli x | jq -e .a\n', problem: /^line 2: a pipe/ },
    { name: 'pipefail without -e', script: 'set -o pipefail\ntccli x | jq -e .a\n', problem: /^line 2: a pipe/ },
    { name: 'a pipe into tee', script: 'set -u\ntccli x | tee answer.json\n', problem: /^line 2: a pipe/ },
    { name: 'a pipe after a here-string', script: 'cat <<<word\ntccli x | jq -e .a\n', problem: /^line 2: a pipe/ },
    {
      name: 'a substitution that feeds $GITHUB_OUTPUT, before any set',
      script: 'answer=$(tccli cynosdb RestartInstance)\necho "answer=$answer" >> "$GITHUB_OUTPUT"\n',
      problem: /^line 1: a command substitution with no 'set -euo pipefail'/,
    },
    {
      name: 'a substitution in the arguments of the command that writes $GITHUB_OUTPUT',
      script: 'set -euo pipefail\necho "flow-id=$(jq -er .FlowId change.json)" >> "$GITHUB_OUTPUT"\n',
      problem: /^line 2: a command substitution in the arguments/,
    },
    {
      name: 'export of a substitution, which hides its status too',
      script: 'set -euo pipefail\nexport ID=$(jq -er .a f) >> "$GITHUB_OUTPUT"\n',
      problem: /^line 2: a command substitution in the arguments/,
    },
    {
      name: 'jq -r in a substitution',
      script: 'set -euo pipefail\nid=$(tccli x | jq -r .FlowId)\n',
      problem: /^line 2: jq's output is used, but without -e/,
    },
    {
      name: 'jq in backticks',
      script: 'set -euo pipefail\nid=`jq .FlowId answer.json`\n',
      problem: /^line 2: jq's output is used/,
    },
    {
      name: 'jq -r piped on',
      script: 'set -euo pipefail\njq -r .DealNames[] answer.json | sort\n',
      problem: /^line 2: jq's output is used/,
    },
    {
      name: 'jq -r into a file',
      script: 'set -euo pipefail\njq -r .FlowId answer.json > flow-id.txt\n',
      problem: /^line 2: jq's output is used/,
    },
    {
      name: 'a continued line',
      script: 'set -euo pipefail\nid=$(tccli cynosdb RestartInstance \\\n  --InstanceId x | jq -r .FlowId)\n',
      problem: /^line 3: jq's output is used/,
    },
  ])('$name', ({ script, problem }) => {
    expect(shellProblems(script).join('\n')).toMatch(problem)
  })
})

describe('and lets pass', () => {
  it.each([
    { name: 'no pipe at all', script: 'pipx install tccli\n' },
    { name: '|| is not a pipe', script: 'command -v tccli || pipx install tccli\n' },
    { name: 'a | inside quotes', script: 'echo \'a | b\' "c | d"\njq -er \'.DealNames | join(",")\' a.json\n' },
    { name: 'a | in a comment', script: 'echo done # tccli | jq\n' },
    { name: 'a | in a here-document', script: 'cat <<EOF\na | b\nEOF\necho "$(date)"\n' },
    { name: 'a pipe after set -eo pipefail', script: 'set -eo pipefail\ntccli x | jq -er .a\n' },
    { name: 'a pipe after set -e -o pipefail', script: 'set -e -o pipefail\ntccli x | jq -er .a\n' },
    { name: 'a pipe after set -o errexit -o pipefail', script: 'set -o errexit -o pipefail\ntccli x | jq -er .a\n' },
    {
      name: 'a pipe after set -e and set -o pipefail on two lines',
      script: 'set -e\nset -o pipefail\ntccli x | jq -er .a\n',
    },
    {
      name: 'a substitution assigned first, then written',
      script: 'set -euo pipefail\nid=$(jq -er .FlowId a.json)\necho "flow-id=$id" >> "$GITHUB_OUTPUT"\n',
    },
    { name: 'a substitution where no output is written', script: 'echo "now: $(date)"\n' },
    { name: 'jq printing to the log', script: 'jq . <<<"$RESULTS"\njq .Response.Error <<<"$a" >&2\n' },
    { name: 'jq -e checking to /dev/null', script: 'jq -e .Response.Credentials <<<"$a" >/dev/null || exit 1\n' },
    { name: 'jq -n building JSON', script: 'set -euo pipefail\nbody=$(jq -n --arg t "$t" \'{Token: $t}\')\n' },
    { name: 'jq --exit-status', script: 'set -euo pipefail\nid=$(jq --exit-status -r .a f)\n' },
    { name: 'a ${{ }} expression holding ||', script: 'echo "${{ matrix.endpoint || \'x\' }}"\n' },
  ])('$name', ({ script }) => {
    expect(shellProblems(script)).toEqual([])
  })
})
