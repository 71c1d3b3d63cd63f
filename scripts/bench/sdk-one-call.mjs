// One DescribeFlow call through Tencent's official Node SDK: the cold-start yardstick for `npm run bench`.
// (Its signature fails at the stand-in, whose host is an IP address: the SDK takes the scope's service from the
// host's first label. Only the time to the first request on the wire is measured.)
// Only the CynosDB service of the SDK is loaded, as an application using that one service would.
import { cynosdb } from 'tencentcloud-sdk-nodejs/tencentcloud/services/cynosdb/index.js'

const [endpoint] = process.argv.slice(2)
const client = new cynosdb.v20190107.Client({
  credential: { secretId: 'AKIDbench', secretKey: 'bench-key' },
  region: 'ap-guangzhou',
  profile: { httpProfile: { endpoint, protocol: 'http://' } },
})
await client.DescribeFlow({ FlowId: 1 }).catch(() => undefined)
