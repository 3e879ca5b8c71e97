/** Hand-written protobuf reading and writing shared by the wire formats (no generated code, no copies). */
package io.sightline.ingest.proto;
