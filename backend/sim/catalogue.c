/*
 * What a 2007 SMS site distributed and where it did: the software
 * catalogue (publisher, product, version, source folder, size range) and
 * the branch offices hosting distribution points, with their Windows time
 * zones.  Kept as data so scenarios differ only in how much of it they use.
 */
#include "autoconf.h"
#include "backend/sim/catalogue.h"

const struct cat_entry cat_entries[] = {
	{ "Adobe Systems", "Adobe Reader 8.1", "8.1.0", "Adobe\\Reader81", 20, 26 },
	{ "Microsoft", "Office 2003 Professional SP3", "11.0.8173.0", "Microsoft\\Office2003SP3", 450, 620 },
	{ "Sun Microsystems", "Java Runtime Environment 6 Update 3", "6.0.30", "Sun\\JRE6u3", 14, 16 },
	{ "Microsoft", "Internet Explorer 7", "7.0.5730.11", "Microsoft\\IE7", 14, 17 },
	{ "Adobe Systems", "Adobe Flash Player 9", "9.0.47.0", "Adobe\\Flash9", 1, 3 },
	{ "Microsoft", ".NET Framework 2.0", "2.0.50727.42", "Microsoft\\DotNet20", 22, 24 },
	{ "Symantec", "Symantec AntiVirus Corporate Edition 10.1", "10.1.5000.5", "Symantec\\SAV101", 70, 90 },
	{ "Microsoft", "Windows XP Service Pack 2", "5.1.2600.2180", "Microsoft\\WinXPSP2", 250, 270 },
	{ "Citrix Systems", "Citrix Presentation Server Client 10.1", "10.100.55836", "Citrix\\ICA101", 11, 14 },
	{ "Microsoft", "Office 2007 Enterprise", "12.0.4518.1014", "Microsoft\\Office2007", 580, 700 },
	{ "Mozilla", "Firefox 2.0.0.11", "2.0.0.11", "Mozilla\\Firefox2", 5, 7 },
	{ "Microsoft", ".NET Framework 3.0", "3.0.4506.30", "Microsoft\\DotNet30", 48, 52 },
	{ "Cisco Systems", "Cisco VPN Client 5.0", "5.0.01.0600", "Cisco\\VPN50", 9, 11 },
	{ "Microsoft", "Windows Media Player 11", "11.0.5721.5145", "Microsoft\\WMP11", 23, 26 },
	{ "WinZip Computing", "WinZip 11.1", "11.1.7466", "WinZip\\WinZip111", 7, 9 },
	{ "Microsoft", "Office Compatibility Pack", "12.0.6021.5000", "Microsoft\\CompatPack", 27, 30 },
	{ "Adobe Systems", "Adobe Acrobat Professional 8", "8.1.0", "Adobe\\Acrobat8Pro", 320, 410 },
	{ "Microsoft", "Visio 2003 Professional", "11.0.8173.0", "Microsoft\\Visio2003", 120, 160 },
	{ "Microsoft", "Project 2003 Standard", "11.0.8173.0", "Microsoft\\Project2003", 110, 140 },
	{ "Microsoft", "Windows Installer 3.1", "3.1.4000.2435", "Microsoft\\MSI31", 2, 3 },
	{ "Microsoft", "Windows Defender", "1.1.1593.0", "Microsoft\\Defender", 4, 6 },
	{ "Microsoft", "Office Live Meeting 2007 Console", "8.0.6362.0", "Microsoft\\LiveMeeting2007", 12, 15 },
	{ "Microsoft", "Office Communicator 2005", "1.0.559.0", "Microsoft\\Communicator2005", 9, 12 },
	{ "Microsoft", "Visual C++ 2005 Redistributable", "8.0.50727.762", "Microsoft\\VCRedist2005", 2, 3 },
	{ "Microsoft", "MSXML 6.0 Parser", "6.0.3883.0", "Microsoft\\MSXML6", 1, 2 },
	{ "Microsoft", "Windows Server 2003 Administration Tools Pack", "5.2.3790.1830", "Microsoft\\AdminPak", 11, 13 },
	{ "Microsoft", "SMS 2003 Advanced Client SP2", "2.50.4160.2000", "Microsoft\\SMSClientSP2", 24, 28 },
	{ "Sun Microsystems", "Java Runtime Environment 5.0 Update 11", "1.5.0.110", "Sun\\JRE5u11", 15, 17 },
	{ "McAfee", "VirusScan Enterprise 8.5i", "8.5.0.781", "McAfee\\VSE85i", 28, 34 },
	{ "Igor Pavlov", "7-Zip 4.57", "4.57", "7-Zip\\457", 1, 2 },
	{ "Apple", "QuickTime 7.3", "7.3.0.70", "Apple\\QuickTime73", 19, 22 },
	{ "RealNetworks", "RealPlayer 10.5", "6.0.12.1483", "RealNetworks\\RealPlayer105", 14, 17 },
	{ "Adobe Systems", "Adobe Shockwave Player 10.1", "10.1.4.20", "Adobe\\Shockwave101", 3, 5 },
	{ "Macromedia", "Dreamweaver 8", "8.0.2", "Macromedia\\Dreamweaver8", 80, 95 },
	{ "Autodesk", "AutoCAD LT 2008", "R17.1", "Autodesk\\AutoCADLT2008", 420, 480 },
	{ "Autodesk", "DWG TrueView 2008", "17.1.51.0", "Autodesk\\TrueView2008", 120, 140 },
	{ "SAP", "SAP GUI for Windows 7.10", "7100.1.0.1029", "SAP\\SAPGUI710", 320, 380 },
	{ "IBM", "Lotus Notes 7.0.2", "7.0.2", "IBM\\Notes702", 180, 220 },
	{ "Corel", "WordPerfect Office X3", "13.0.0.565", "Corel\\WPOX3", 400, 470 },
	{ "Nuance", "PDF Converter Professional 4", "4.1.0", "Nuance\\PDFConverter4", 90, 110 },
	{ "Business Objects", "Crystal Reports XI Runtime", "11.0.0.1282", "BusinessObjects\\CRXIRuntime", 38, 44 },
	{ "Oracle", "Oracle Client 10g", "10.2.0.1", "Oracle\\Client10g", 450, 520 },
	{ "IBM", "iSeries Access for Windows V5R4", "5.4.0", "IBM\\iSeriesAccess54", 280, 330 },
	{ "Hewlett-Packard", "HP Universal Print Driver 4.1", "4.1.0.0", "HP\\UPD41", 35, 45 },
	{ "TechSmith", "SnagIt 8", "8.2.3", "TechSmith\\SnagIt8", 18, 22 },
	{ "Microsoft", "Visual Studio 2005 Professional", "8.0.50727.42", "Microsoft\\VS2005Pro", 640, 700 },
	{ "Microsoft", "SQL Server 2005 Express Edition", "9.00.3042.00", "Microsoft\\SQLExpress2005", 52, 58 },
	{ "Microsoft", "Windows Desktop Search 3.01", "3.01.6001", "Microsoft\\WDS301", 5, 7 },
	{ "Microsoft", "Remote Desktop Connection 6.0", "6.0.6000.16386", "Microsoft\\RDC60", 2, 4 },
	{ "Microsoft", "Group Policy Management Console SP1", "1.0.2", "Microsoft\\GPMC", 5, 7 },
	{ "Sophos", "Sophos Anti-Virus 7", "7.0.5", "Sophos\\SAV7", 40, 50 },
	{ "Trend Micro", "OfficeScan Client 8.0", "8.0.1007", "TrendMicro\\OfficeScan8", 60, 75 },
	{ "Novell", "Novell Client 4.91 SP4", "4.91.4.0", "Novell\\Client491SP4", 30, 36 },
	{ "Attachmate", "Reflection for IBM 13.0", "13.0.322", "Attachmate\\Reflection13", 140, 170 },
	{ "Hummingbird", "Exceed 12", "12.0.0.250", "Hummingbird\\Exceed12", 160, 190 },
	{ "Microsoft", "Security Update for Windows XP (KB925902)", "1.0", "Microsoft\\Updates\\KB925902", 1, 2 },
	{ "Microsoft", "Security Update for Office 2003 (KB936048)", "1.0", "Microsoft\\Updates\\KB936048", 3, 5 },
	{ "Microsoft", "Windows Malicious Software Removal Tool", "1.33", "Microsoft\\MSRT", 9, 11 },
	{ "Woodgrove Bank", "Branch Teller Workstation", "4.2.1", "Woodgrove\\BranchTeller42", 60, 80 },
	{ "Woodgrove Bank", "Loan Origination Client", "3.0.7", "Woodgrove\\LoanOrig30", 25, 35 },
	{ "Woodgrove Bank", "Timesheet", "2.5", "Woodgrove\\Timesheet25", 4, 8 },
	{ "Woodgrove Bank", "Branch Printer Setup", "1.4", "Woodgrove\\PrinterSetup14", 1, 3 },
};

const size_t cat_nentries = sizeof cat_entries / sizeof cat_entries[0];

const struct cat_language cat_languages[] = {
	{ "German", "DEU" }, { "French", "FRA" }, { "Spanish", "ESP" },
	{ "Dutch", "NLD" }, { "Italian", "ITA" }, { "Japanese", "JPN" },
	{ "Polish", "PLK" },
};

const size_t cat_nlanguages = sizeof cat_languages / sizeof cat_languages[0];

/* Names for further builds of one product at a large site. */
const char *const cat_variants[] = {
	"Finance", "Retail", "Head Office", "Call Centre", "Kiosk", "Training",
	"Pilot", "Legacy", "Trading", "Branch",
};

const size_t cat_nvariants = sizeof cat_variants / sizeof cat_variants[0];

/* The first twelve are the default scenario's DPs, in that order. */
const struct cat_city cat_cities[] = {
	{ "LEEDS", "GMT Standard Time", CAT_UK },
	{ "BRISTOL", "GMT Standard Time", CAT_UK },
	{ "GLASGOW", "GMT Standard Time", CAT_UK },
	{ "DUBLIN", "GMT Standard Time", CAT_UK },
	{ "PARIS", "Romance Standard Time", CAT_EUROPE },
	{ "FRANKFURT", "W. Europe Standard Time", CAT_EUROPE },
	{ "MADRID", "Romance Standard Time", CAT_EUROPE },
	{ "WARSAW", "Central European Standard Time", CAT_EUROPE },
	{ "NEWYORK", "Eastern Standard Time", CAT_AMERICAS },
	{ "CHICAGO", "Central Standard Time", CAT_AMERICAS },
	{ "TORONTO", "Eastern Standard Time", CAT_AMERICAS },
	{ "TOKYO", "Tokyo Standard Time", CAT_ASIA },
	{ "MANCHESTER", "GMT Standard Time", CAT_UK },
	{ "CARDIFF", "GMT Standard Time", CAT_UK },
	{ "BELFAST", "GMT Standard Time", CAT_UK },
	{ "EDINBURGH", "GMT Standard Time", CAT_UK },
	{ "BIRMINGHAM", "GMT Standard Time", CAT_UK },
	{ "LYON", "Romance Standard Time", CAT_EUROPE },
	{ "BRUSSELS", "Romance Standard Time", CAT_EUROPE },
	{ "AMSTERDAM", "W. Europe Standard Time", CAT_EUROPE },
	{ "MUNICH", "W. Europe Standard Time", CAT_EUROPE },
	{ "ZURICH", "W. Europe Standard Time", CAT_EUROPE },
	{ "MILAN", "W. Europe Standard Time", CAT_EUROPE },
	{ "PRAGUE", "Central European Standard Time", CAT_EUROPE },
	{ "BUDAPEST", "Central European Standard Time", CAT_EUROPE },
	{ "BOSTON", "Eastern Standard Time", CAT_AMERICAS },
	{ "ATLANTA", "Eastern Standard Time", CAT_AMERICAS },
	{ "MIAMI", "Eastern Standard Time", CAT_AMERICAS },
	{ "DALLAS", "Central Standard Time", CAT_AMERICAS },
	{ "HOUSTON", "Central Standard Time", CAT_AMERICAS },
	{ "SEATTLE", "Pacific Standard Time", CAT_AMERICAS },
	{ "SANFRAN", "Pacific Standard Time", CAT_AMERICAS },
	{ "LOSANGELES", "Pacific Standard Time", CAT_AMERICAS },
	{ "MONTREAL", "Eastern Standard Time", CAT_AMERICAS },
	{ "OSAKA", "Tokyo Standard Time", CAT_ASIA },
	{ "MUMBAI", "India Standard Time", CAT_ASIA },
	{ "BANGALORE", "India Standard Time", CAT_ASIA },
	{ "DELHI", "India Standard Time", CAT_ASIA },
};

const size_t cat_ncities = sizeof cat_cities / sizeof cat_cities[0];
