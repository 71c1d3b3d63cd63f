// The stand-in Tencent Cloud API: its implementation, one module per service, is in stand-in/ (index.ts first).
export * from './stand-in/index.ts'
