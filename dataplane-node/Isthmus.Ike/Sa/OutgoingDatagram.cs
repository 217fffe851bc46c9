using System.Net;

namespace Isthmus.Ike.Sa;

/// <summary>
/// An IKE message to send. When <see cref="Local"/> uses the NAT-T port the transport prepends the
/// four-octet non-ESP marker (RFC 3948 §2.2); the IKE core never sees it.
/// </summary>
public sealed record OutgoingDatagram(byte[] Data, IPEndPoint Local, IPEndPoint Remote);
