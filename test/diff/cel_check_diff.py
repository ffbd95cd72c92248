#!/usr/bin/env python3
"""Differential test of the CEL parser and checker against Cerbos 0.55.

Random condition expressions over Cerbos' variables (R, P, request,
runtime, V, G), literals of every type, macros, optionals and the library
functions are compiled by `cerbos compile` (one resource policy per
expression) and by cel_check_driver (authz's parser + checker in the Cerbos
environment).  Both sides' verdicts are compared: accepted by both, or
rejected by both with the same list of messages (cel-go's wording, in source
order).  Cerbos' own policy-level complaints about undefined V.* / C.* names
are not CEL errors and are ignored.

    test/diff/cel_check_diff.py [--seed N] [--count K] [--depth D] [--cerbos PATH]

Prints each mismatch and a summary line; exits non-zero on mismatches.
Known gap: after a syntax error Cerbos (ANTLR) recovers and reports more
errors; authz stops at the first.
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

ATOMS = ['1', '2u', '1.5', "'a'", "b'x'", 'true', 'null', 'R.attr.x', 'R.id', 'P.roles', 'R.attr',
         'P.attr.age', '[1, 2]', "['a']", "{'k': 1}", '[]', '{}', "duration('1h')",
         "timestamp('2020-01-01T00:00:00Z')", 'now()', 'V.v', 'G.g', 'runtime.effectiveDerivedRoles',
         "[1, 'a']", 'R.kind', 'request.auxData.jwt', 'optional.of(1)', 'optional.none()',
         "ip('1.2.3.4')", "hierarchy('a.b')", 'dyn(1)', '-1', '0.0', '[1, 2.0]', "{'a': 1, 'b': 'c'}",
         "{1: 1, 'a': 2}", '[[1], []]', "[{'a': 1}]", '[null]', '[optional.of(1)]', 'R.attr.l',
         "R.attr['k']", "{'a': [1]}", 'e', 'k', 'v', 'type(1)', 'int', 'string', 'null_type', 'list',
         'map', 'google.protobuf.Timestamp', 'net.IP', '[?optional.none()]', "{?'a': optional.of(1)}",
         'R.?attr', 'R.attr.?x', '[1][?0]', "{'a': 1}[?'a']", 'optional.of([1])[0]',
         "optional.of({'a': 1}).a"]
BINARY = ['+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', '&&', '||', 'in']
FORMS = ['size({0})', 'int({0})', 'string({0})', 'double({0})', 'uint({0})', 'type({0})', 'dyn({0})',
         '{0}.size()', "{0}.startsWith('a')", "{0}.contains('a')", "{0}.matches('a')", 'has({0}.x)',
         '{0}.exists(e, e > 0)', '{0}.all(e, e == 1)', '{0}.map(e, e + 1)', '{0}.filter(e, e)', '{0}[0]',
         "{0}['a']", '{0}.x', '{0}.?x', '{0}.orValue(1)', '{0}.hasValue()', 'math.abs({0})',
         '{0}.lowerAscii()', "{0}.split(',')", "{0}.join(',')", 'timestamp({0})', 'duration({0})',
         '{0}.getHours()', '{0}.sortBy(e, e)', '{0}.transformList(i, v, v)', 'cel.bind(z, {0}, z)',
         '[{0}]', "{{'a': {0}}}", '{0}.exists(k, v, v)', 'math.greatest({0}, 1)',
         "{0}.inIPAddrRange('10.0.0.0/8')", "{0}.ancestorOf(hierarchy('a'))", 'sets.contains({0}, [1])',
         '{0}.flatten()', '{0}.distinct()', 'base64.encode({0})', '{0}.charAt(0)', "{0}.indexOf('a')",
         '{0}.format([1])', 'intersect({0}, [1])', '{0}.hasIntersection([1])',
         '{0}.exists(e, e.exists(k, k))', '{0}.map(e, e.map(k, k + e))', '{0}.all(i, v, i < v)',
         '{0}.transformMap(k, v, v)', '{0}.transformMapEntry(k, v, {{k: v}})', '{0}.existsOne(k, v, v)',
         '{0}.exists_one(e, e)', '{0}.optMap(z, z + 1)', '{0}.optFlatMap(z, optional.of(z))',
         '{0}.or(optional.of(1))', 'optional.ofNonZeroValue({0})', '[{0}, 1]', '[1, {0}]', '{{{0}: 1}}',
         '{0}.first()', '{0}.last()', 'lists.range({0})', '{0}.reverse()', '{0}.sort()', 'math.least({0})',
         'math.greatest([{0}])', "string({0}) + 'a'", '{0} == {0}', '[{0}] == [{0}]', 'type({0}) == int']


def gen(depth):
    r = random.random()
    if depth <= 0 or r < 0.25:
        return random.choice(ATOMS)
    if r < 0.55:
        return '%s %s %s' % (gen(depth - 1), random.choice(BINARY), gen(depth - 1))
    if r < 0.62:
        return '%s(%s)' % (random.choice(['!', '-']), gen(depth - 1))
    if r < 0.7:
        return '%s ? %s : %s' % (gen(depth - 1), gen(depth - 1), gen(depth - 1))
    return random.choice(FORMS).format(gen(depth - 1))


def cerbos_verdicts(cerbos, exprs):
    work = tempfile.mkdtemp(prefix='authz_cel_check_')
    try:
        for i, e in enumerate(exprs):
            pol = {'apiVersion': 'api.cerbos.dev/v1',
                   'resourcePolicy': {'version': 'default', 'resource': 'r%d' % i,
                                      'rules': [{'actions': ['a'], 'effect': 'EFFECT_ALLOW', 'roles': ['*'],
                                                 'condition': {'match': {'expr': e}}}]}}
            with open(os.path.join(work, 'p%05d.yaml' % i), 'w') as f:
                f.write(yaml.safe_dump(pol, sort_keys=False, width=100000))
        out = subprocess.run([cerbos, 'compile', '--skip-tests', work], capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(work, ignore_errors=True)
    verdicts = {}
    for line in out.splitlines():
        m = re.match(r'p(\d+)\.yaml:\d+:\d+ (.*)', line)
        if not m:
            continue
        msg = m.group(2)
        m2 = re.search(r'`: \[(.*)\] <invalid expression>$', msg)
        verdicts[int(m.group(1))] = m2.group(1) if m2 else msg
    return verdicts


def build_driver():
    out = '/tmp/authz_cel_check_driver'
    srcs = [os.path.join(ROOT, 'src/cel', f) for f in sorted(os.listdir(os.path.join(ROOT, 'src/cel')))
            if f.endswith('.c')]
    srcs += [os.path.join(ROOT, 'src/common', f) for f in sorted(os.listdir(os.path.join(ROOT, 'src/common')))
             if f.endswith('.c')]
    subprocess.run(['cc', '-std=gnu11', '-O1', '-g', '-I' + os.path.join(ROOT, 'src'),
                    os.path.join(HERE, 'cel_check_driver.c')] + srcs +
                   ['-lpcre2-8', '-ljansson', '-lyaml', '-ljwt', '-lssl', '-lcrypto', '-lm', '-o', out],
                   check=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=500)
    ap.add_argument('--depth', type=int, default=3)
    ap.add_argument('--cerbos', default='/work/cerbos/package/cerbos-linux-x64')
    ap.add_argument('--driver', default=None)
    args = ap.parse_args()
    random.seed(args.seed)
    exprs, seen = [], set()
    while len(exprs) < args.count:
        e = gen(random.randint(1, args.depth))
        if e not in seen:
            seen.add(e)
            exprs.append(e)
    driver = args.driver or build_driver()
    with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False) as f:
        f.write('\n'.join(exprs) + '\n')
        path = f.name
    ours = subprocess.run([driver, path], capture_output=True, text=True).stdout.splitlines()
    os.unlink(path)
    theirs = cerbos_verdicts(args.cerbos, exprs)
    bad = 0
    for i, e in enumerate(exprs):
        mine = ours[i].split('\t', 1)[1] if i < len(ours) and '\t' in ours[i] else '?'
        cerbos = theirs.get(i, 'OK')
        if mine == cerbos or cerbos.startswith('Undefined variable') or cerbos.startswith('Undefined constant'):
            continue
        bad += 1
        print('DIFF %s\n  authz:  %s\n  cerbos: %s' % (e, mine, cerbos))
    print('cel_check_diff: %d expressions, %d agree, %d differ' % (len(exprs), len(exprs) - bad, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
