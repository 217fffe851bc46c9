namespace Isthmus.Ike.Sa;

/// <summary>What one call into the IKE core produced: datagrams to send and events to report.</summary>
public sealed class IkeOutput
{
    public List<OutgoingDatagram> Datagrams { get; } = [];
    public List<IkeSaEvent> Events { get; } = [];

    public void Send(OutgoingDatagram d) => Datagrams.Add(d);
    public void Raise(IkeSaEvent e) => Events.Add(e);
}
