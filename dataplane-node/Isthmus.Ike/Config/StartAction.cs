namespace Isthmus.Ike.Config;

/// <summary>What the IKE daemon does to bring a tunnel up.</summary>
public enum StartAction
{
    /// <summary>Send IKE_SA_INIT as soon as the tunnel is loaded, and again after it goes down.</summary>
    Initiate,

    /// <summary>Wait for the peer to initiate.</summary>
    Respond,
}
