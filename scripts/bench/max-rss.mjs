// Preloaded into a measured process (node --import): reports its peak resident set size when it exits.
process.on('exit', () => process.stderr.write(`bench:max-rss-kb=${process.resourceUsage().maxRSS}\n`))
